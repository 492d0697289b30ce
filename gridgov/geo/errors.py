"""Errors of the geo domain: a stable code for the API and a Chinese message for people."""


class GeoError(Exception):
    status = 400

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(GeoError):
    status = 404

"""Models of the worktime app."""

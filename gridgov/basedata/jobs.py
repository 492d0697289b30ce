"""basedata background jobs (scale, #12): an import asked with ``background=true`` runs as the job
``basedata.import`` (on a Celery worker when a broker is configured, else in a thread of the web process).

The uploaded file is parked, encrypted with the site's data key (it holds personal data), in the file storage
under ``imports/<job id>`` — shared by every machine — and deleted when the import has finished. The job takes the
``ImportJob`` id and is idempotent: a job that is no longer running (done, rejected, failed) is not run again; an
import cut off by a killed worker wrote nothing (its writes are one transaction) and simply runs again.
"""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from gridgov import background

log = logging.getLogger("gridgov.basedata")


def _name(job_id: int) -> str:
    return f"imports/{int(job_id)}.bin"


def park(job_id: int, data: bytes) -> None:
    from gridgov.crypto import cipher

    name = _name(job_id)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(cipher().encrypt_bytes(data, name)))


@background.task("basedata.import")
def run_parked_import(job_id: int) -> None:
    from gridgov.basedata import importing
    from gridgov.basedata.models import ImportJob, ImportStatus
    from gridgov.crypto import cipher
    from gridgov.errors import DomainError

    row = ImportJob.objects.filter(pk=job_id).select_related("user").first()
    name = _name(job_id)
    if row is None or row.status != ImportStatus.RUNNING:
        return
    try:
        with default_storage.open(name, "rb") as f:
            data = cipher().decrypt_bytes(f.read(), name)
    except FileNotFoundError:
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, errors=[[0, "导入文件已不存在，请重新导入"]])
        return
    try:
        importing.run_import(row.register, row.user, data, row.file_name, row.skip_bad, job=importing.Job.resume(row))
    except DomainError:
        pass  # the job row records the failure
    except Exception:
        log.exception("background import #%d failed", job_id)
    finally:
        default_storage.delete(name)

"""Import and export of the registers (residents, organisations, buildings, dwellings) as CSV or Excel.

An import reads the whole file, validates EVERY row and reports every bad row by row number and reason
("第 12 行：身份证号校验位错误" — never the value); it writes nothing unless told to skip the bad rows, and then
writes all good rows in one transaction. Re-importing the same file changes nothing: rows are matched by
ID number (blind index) / credit code / building or dwelling code and only real differences are written.

Progress: ``ImportJob`` rows (polled by API clients; updated in the validation phase) plus an in-process
``PROGRESS`` map updated throughout (the write phase runs inside one transaction, invisible to others).
"""

import csv
import datetime as dt
import io
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov import limits
from gridgov.accounts.scope import scope_prefix
from gridgov.audit import services as audit
from gridgov.crypto import cipher
from gridgov.errors import DomainError, TooLarge

from . import rights
from .fastsql import chunks, db_datetime, insert_rows, max_id, rows_after, select_in, tune_for_bulk
from .logic import ids
from .models import (
    AccessAction,
    Building,
    Dwelling,
    DwellingUse,
    EventKind,
    Household,
    ImportJob,
    ImportStatus,
    Organisation,
    OrgKind,
    RegistrationType,
    Relation,
    Resident,
    ResidentEvent,
    ResidentStatus,
)
from .services import ID_FIELD, ORG_PHONE_FIELD, PHONE_FIELD, log_access

PROGRESS: dict[int, dict] = {}
_progress_lock = threading.Lock()
TICK = 5000
MAX_COLUMNS = 30  # an Excel sheet is read up to this column (a register has at most 10; the rest is ignored)


def max_bytes() -> int:
    """The largest import file (settings GRIDGOV["IMPORT_MAX_BYTES"], env GRIDGOV_IMPORT_MAX_BYTES)."""
    return int(settings.GRIDGOV["IMPORT_MAX_BYTES"])


def max_rows() -> int:
    """The most data rows one import may have (settings GRIDGOV["IMPORT_MAX_ROWS"], env GRIDGOV_IMPORT_MAX_ROWS)."""
    return int(settings.GRIDGOV["IMPORT_MAX_ROWS"])


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def too_large(what: str) -> TooLarge:
    return TooLarge("import_too_large", f"{what}，超过导入上限（文件 {_mb(max_bytes())}，{max_rows():,} 行）；请分批导入")


def read_upload(request) -> tuple[bytes, str]:
    """The file of an import request — a multipart ``file`` field or the request body — refused unread
    (``import_too_large``, 413) when larger than ``max_bytes()``."""
    limit = max_bytes()
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit + 64 * 1024:  # room for a multipart envelope around a file of the largest size
        raise too_large(f"文件大小 {_mb(declared)}")
    upload = request.FILES.get("file") if request.content_type == "multipart/form-data" else None
    if upload is not None:
        if upload.size > limit:
            raise too_large(f"文件大小 {_mb(upload.size)}")
        return upload.read(), upload.name or "upload"
    data = request.body if hasattr(request, "_body") else request.read(limit + 1)
    if len(data) > limit:
        raise too_large("文件过大")
    return data, ("upload.xlsx" if data[:4] == b"PK\x03\x04" else "upload.csv")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""


COLUMNS: dict[str, list[Column]] = {
    "residents": [
        Column("name", "姓名", True),
        Column("id_number", "身份证号", True, "18 位居民身份证号码，请以文本格式填写"),
        Column("phone", "手机号", False, "11 位手机号"),
        Column("reg_type", "人口类型", False, "户籍 / 流动 / 境外，默认户籍"),
        Column("household", "户编号", False, "同一户的成员填写相同的户编号；为空时按房屋建户"),
        Column("relation", "与户主关系", False, "户主 / 配偶 / 子女 / 父母 / 其他"),
        Column("dwelling", "房屋编码", True, "系统中已登记的房屋编码"),
        Column("moved_in", "迁入日期", False, "YYYY-MM-DD"),
    ],
    "organisations": [
        Column("name", "单位名称", True),
        Column("credit_code", "统一社会信用代码", True, "18 位"),
        Column("kind", "单位类型", False, "企业 / 个体工商户 / 社会组织 / 机关事业单位"),
        Column("address", "地址", True),
        Column("lon", "经度", True, "WGS84"),
        Column("lat", "纬度", True, "WGS84"),
        Column("contact_name", "联系人"),
        Column("contact_phone", "联系电话", False, "11 位手机号"),
        Column("opened_on", "成立日期", False, "YYYY-MM-DD"),
        Column("closed_on", "注销日期", False, "YYYY-MM-DD"),
    ],
    "buildings": [
        Column("code", "楼栋编码", True),
        Column("name", "楼栋名称"),
        Column("address", "地址", True),
        Column("lon", "经度", True, "WGS84"),
        Column("lat", "纬度", True, "WGS84"),
        Column("floors", "层数", False, "整数"),
    ],
    "dwellings": [
        Column("code", "房屋编码", True),
        Column("building", "楼栋编码", True, "系统中已登记的楼栋编码"),
        Column("unit_no", "单元"),
        Column("floor", "楼层", False, "整数"),
        Column("room", "室号", True),
        Column("use", "用途", False, "自住 / 出租 / 空置 / 商用"),
        Column("area_m2", "建筑面积", False, "平方米"),
    ],
}
LABELS = {"residents": "实有人口", "organisations": "实有单位", "buildings": "楼栋", "dwellings": "房屋"}


class RowError(Exception):
    pass


@dataclass
class Report:
    register: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    written: bool = False
    job_id: int | None = None

    def messages(self) -> list[str]:
        return [f"第 {n} 行：{m}" for n, m in self.errors]


# ---------------------------------------------------------------- reading


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """All rows of a CSV (UTF-8 with or without BOM, or GB18030) or .xlsx file (first sheet), header first.

    Bounded before and while parsing: the file's size (``max_bytes()``), an Excel file's uncompressed size and
    declared sheet dimensions (a zip bomb or a sheet claiming a million rows is refused before it is parsed),
    and the number of rows (reading stops past ``max_rows()``): ``import_too_large`` (413).
    """
    if len(data) > max_bytes():
        raise too_large(f"文件大小 {_mb(len(data))}")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise DomainError("bad_encoding", "无法识别文件编码（请使用 UTF-8 或 GBK）") from None
    del data
    # newline="": the csv module itself splits lines — CRLF, LF and a bare CR alike, and quoted line breaks
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _bounded(reader)
    except csv.Error as e:
        raise DomainError("bad_file", f"CSV 文件第 {reader.line_num} 行格式有误：{e}") from None


def _bounded(rows) -> list[list[str]]:
    """The rows, read no further than ``max_rows()`` data rows (+ the header)."""
    limit, out = max_rows() + 1, []
    for row in rows:
        out.append(row)
        if len(out) > limit:
            raise too_large(f"超过 {max_rows():,} 行")
    return out


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DomainError("bad_file", "无法读取 Excel 文件（应为 .xlsx）") from None
    if unpacked > max_bytes() * XLSX_EXPANSION:
        raise too_large(f"Excel 文件解压后 {_mb(unpacked)}")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise DomainError("bad_file", "无法读取 Excel 文件（应为 .xlsx）") from None
    try:
        ws = wb.worksheets[0]
        declared = ws.max_row if isinstance(ws.max_row, int) else 0
        if declared > max_rows() + 1:
            raise too_large(f"工作表声明了 {declared:,} 行")
        return _bounded([_cell(v) for v in r] for r in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except DomainError:
        raise
    except Exception:  # a malformed sheet (openpyxl raises many kinds)
        raise DomainError("bad_file", "无法读取 Excel 文件（应为 .xlsx）") from None
    finally:
        wb.close()


XLSX_EXPANSION = 10  # an .xlsx unpacks to at most this many times the largest import file


def _header_index(register: str, header: list[str]) -> dict[str, int]:
    names = {}
    for c in COLUMNS[register]:
        names[c.header] = c.key
        names[c.key] = c.key
    index = {}
    for i, h in enumerate(header):
        key = names.get((h or "").strip().lstrip("\ufeff").rstrip("*"))
        if key and key not in index:
            index[key] = i
    missing = [c.header for c in COLUMNS[register] if c.required and c.key not in index]
    if missing:
        raise DomainError("missing_columns", "第 1 行（表头）缺少列：" + "、".join(missing))
    return index


def _date(value: str, label: str, required: bool = False) -> dt.date | None:
    if not value:
        if required:
            raise RowError(f"{label}为空")
        return None
    try:
        return dt.date.fromisoformat(value.replace("/", "-").split(" ")[0])
    except ValueError:
        raise RowError(f"{label}格式错误（应为 YYYY-MM-DD）") from None


def _choice_map(enum) -> dict[str, str]:
    m = {c.value: c.value for c in enum}
    m.update({c.label: c.value for c in enum})
    return m


REG_TYPES = _choice_map(RegistrationType)
RELATIONS = _choice_map(Relation)
USES = _choice_map(DwellingUse)
ORG_KINDS = _choice_map(OrgKind) | {"个体": OrgKind.INDIVIDUAL, "机关事业": OrgKind.PUBLIC}


def _pick(m: dict, value: str, label: str, default: str) -> str:
    if not value:
        return default
    v = m.get(value)
    if v is None:
        raise RowError(f"{label}无效（可选：{'、'.join(k for k in m if not k.isascii())}）")
    return v


# ---------------------------------------------------------------- jobs and progress


class Job:
    def __init__(self, register: str, user, file_name: str, skip_bad: bool, on_progress: Callable | None):
        self.register = register
        self.on_progress = on_progress
        self.row = ImportJob.objects.create(register=register, user=user if getattr(user, "pk", None) else None,
                                            file_name=file_name[:200], skip_bad=skip_bad,
                                            scope_key=scope_prefix(user) or "" if user else "")
        self.in_tx = False

    @classmethod
    def resume(cls, row: ImportJob) -> "Job":
        """The job of an existing row (a background import picked up by a worker)."""
        job = cls.__new__(cls)
        job.register, job.on_progress, job.row, job.in_tx = row.register, None, row, False
        return job

    def tick(self, phase: str, done: int, total: int) -> None:
        with _progress_lock:
            PROGRESS[self.row.pk] = {"phase": phase, "processed": done, "total": total}
        if self.on_progress:
            self.on_progress(phase, done, total)
        if not self.in_tx:
            ImportJob.objects.filter(pk=self.row.pk).update(phase=phase, processed=done, total=total)

    def finish(self, report: Report, status: str) -> None:
        with _progress_lock:
            PROGRESS.pop(self.row.pk, None)
        ImportJob.objects.filter(pk=self.row.pk).update(
            status=status, phase="", total=report.total, processed=report.total, created=report.created,
            updated=report.updated, unchanged=report.unchanged, skipped=report.skipped,
            errors=[[n, m] for n, m in report.errors[:10000]], finished_at=timezone.now())


def progress(job_id: int) -> dict | None:
    with _progress_lock:
        p = PROGRESS.get(job_id)
        return dict(p) if p else None


def run_import(register: str, user, data: bytes, file_name: str = "", skip_bad: bool = False,
               on_progress: Callable | None = None, job: Job | None = None) -> Report:
    """Validate every row; write only when there are no bad rows, or ``skip_bad`` is set. ``user`` None = system."""
    if register not in COLUMNS:
        raise DomainError("unknown_register", "登记簿应为 residents、organisations、buildings 或 dwellings")
    if user is not None:
        rights.require(user, rights.IMPORT)
    job = job or Job(register, user, file_name, skip_bad, on_progress)
    report = Report(register, job_id=job.row.pk)
    try:
        rows = read_table(data, file_name)
        if not rows:
            raise DomainError("empty_file", "文件为空")
        index = _header_index(register, rows[0])
        body = rows[1:]
        report.total = len(body)
        importer = IMPORTERS[register](user, job, index)
        good = importer.validate(body, report)
        report.errors.sort()
        if report.errors and not skip_bad:
            job.finish(report, ImportStatus.REJECTED)
            return report
        report.skipped = len(report.errors)
        with transaction.atomic():
            job.in_tx = True
            importer.write(good, report)
            log_access(user, AccessAction.IMPORT, register, job.row.pk, "", report.created + report.updated,
                       f"导入文件 {file_name}"[:200], scope_prefix(user) or "" if user else "")
            audit.record(user, "import", "import_job", job.row.pk, after={
                "register": register, "total": report.total, "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged, "skipped": report.skipped})
        job.in_tx = False
        report.written = True
        job.finish(report, ImportStatus.DONE)
        return report
    except DomainError as e:
        report.errors = report.errors or [(1, e.message)]
        job.in_tx = False
        job.finish(report, ImportStatus.FAILED)
        raise
    except Exception:
        job.in_tx = False
        report.errors = [(0, "导入失败（系统错误）")]
        job.finish(report, ImportStatus.FAILED)
        raise


class _Importer:
    def __init__(self, user, job: Job, index: dict[str, int]):
        self.user, self.job, self.index = user, job, index
        self.prefix = (scope_prefix(user) or "") if user is not None else ""
        self.now = timezone.now()
        self.today = timezone.localdate()

    def getter(self, key: str):
        i = self.index.get(key)
        if i is None:
            return lambda row: ""
        return lambda row: row[i].strip() if i < len(row) else ""

    def in_scope(self, key: str) -> bool:
        return key.startswith(self.prefix)


# ---------------------------------------------------------------- residents (the large one)


class ResidentImporter(_Importer):
    def validate(self, rows: list[list[str]], report: Report) -> list[tuple]:
        c, total, tick = cipher(), len(rows), self.job.tick
        col = self.index
        width = max(col.values()) + 1
        i_name, i_id, i_dw = col["name"], col["id_number"], col["dwelling"]
        i_phone, i_reg, i_hh, i_rel, i_in = (col.get(k) for k in ("phone", "reg_type", "household", "relation", "moved_in"))
        dwellings = {code: (pk, key) for code, pk, key in
                     Dwelling.objects.filter(scope_key__startswith=self.prefix).values_list("code", "id", "scope_key")}
        seen: dict[str, int] = {}
        good, errors, today = [], report.errors, self.today
        norm_id, id_problem, norm_phone, phone_problem = ids.normalize_id, ids.id_problem, ids.normalize_phone, ids.phone_problem
        index = c.index
        for n, row in enumerate(rows, start=2):
            if n % TICK == 0:
                tick("validating", n - 1, total)
            if len(row) < width:
                row = row + [""] * (width - len(row))
            try:
                name = row[i_name].strip()
                if not name:
                    if not any(x.strip() for x in row):
                        continue  # a blank line is not a row
                    raise RowError("姓名为空")
                if len(name) > 50:
                    raise RowError("姓名过长")
                idn = norm_id(row[i_id])
                problem = id_problem(idn, today)
                if problem:
                    raise RowError(problem)
                phone = norm_phone(row[i_phone]) if i_phone is not None else ""
                if phone and phone_problem(phone):
                    raise RowError(phone_problem(phone))
                reg = _pick(REG_TYPES, row[i_reg].strip(), "人口类型", RegistrationType.HUKOU) if i_reg is not None \
                    else RegistrationType.HUKOU
                rel = _pick(RELATIONS, row[i_rel].strip(), "与户主关系", Relation.OTHER) if i_rel is not None \
                    else Relation.OTHER
                dcode = row[i_dw].strip()
                if not dcode:
                    raise RowError("房屋编码为空")
                d = dwellings.get(dcode)
                if d is None:
                    raise RowError("房屋编码不存在或不在您的管辖范围内")
                moved_in = _date(row[i_in].strip(), "迁入日期") if i_in is not None else None
                if moved_in and moved_in > today:
                    raise RowError("迁入日期晚于今天")
                hh = (row[i_hh].strip() if i_hh is not None else "") or f"H{dcode}"
                if len(hh) > 40:
                    raise RowError("户编号过长")
                key = index(idn, ID_FIELD)
                first = seen.get(key)
                if first is not None:
                    raise RowError(f"身份证号与第 {first} 行重复")
                seen[key] = n
                good.append((n, name, idn, phone, reg, hh, rel, d[0], d[1],
                             moved_in.isoformat() if moved_in else None, key, index(phone, PHONE_FIELD) if phone else ""))
            except RowError as e:
                errors.append((n, str(e)))
        tick("checking", total, total)
        # existing people and households: matched, and refused when registered outside one's scope
        self.existing = {row[0]: row for row in select_in(
            Resident, ["id_index", "id", "name", "phone_index", "reg_type", "household_id", "relation", "dwelling_id",
                       "moved_in", "scope_key", "status"], "id_index", [r[10] for r in good])}
        self.households = {n: (pk, key) for n, pk, key in select_in(
            Household, ["number", "id", "scope_key"], "number", sorted({r[5] for r in good}))}
        ok = []
        for r in good:
            old = self.existing.get(r[10])
            if old is not None and not self.in_scope(old[9]):
                errors.append((r[0], "该身份证号已在您管辖范围以外登记（如为迁入，请由原辖区办理迁移）"))
                continue
            hh = self.households.get(r[5])
            if hh is not None and not self.in_scope(hh[1]):
                errors.append((r[0], "户编号已在您管辖范围以外使用"))
                continue
            ok.append(r)
        return ok

    def write(self, good: list[tuple], report: Report) -> None:
        c, now, total, tick = cipher(), db_datetime(self.now), len(good), self.job.tick
        user_id = self.user.pk if getattr(self.user, "pk", None) else None
        # households first (a household takes the dwelling of its first row)
        new_hh, seen = [], set()
        for r in good:
            if r[5] not in self.households and r[5] not in seen:
                seen.add(r[5])
                new_hh.append((r[5], r[7], r[8], "", now))
        tune_for_bulk()
        before = max_id(Household)
        insert_rows(Household, ["number", "dwelling_id", "scope_key", "note", "created_at"], new_hh)
        for number, pk, key in rows_after(Household, ["number", "id", "scope_key"], before):
            if number in seen:
                self.households[number] = (pk, key)
        tick("writing", 0, total)
        enc, mask_id, mask_phone, gender = c.encrypt, ids.mask_id, ids.mask_phone, ids.id_gender
        new, changed, events = [], [], []
        today = self.today.isoformat()
        for r in good:
            old = self.existing.get(r[10])
            if old is None:
                new.append(r)
                continue
            _n, name, _idn, phone, reg, hh, rel, dwelling_id, key, moved_in, _index, pindex = r
            hh_id = self.households[hh][0]
            _, pk, o_name, o_pindex, o_reg, o_hh, o_rel, o_dwelling, o_moved, o_key, o_status = old
            o_moved = str(o_moved)[:10] if o_moved else None
            if o_status != ResidentStatus.ACTIVE or \
                    (name, pindex, reg, hh_id, rel, dwelling_id, moved_in) == (o_name, o_pindex, o_reg, o_hh, o_rel, o_dwelling, o_moved):
                report.unchanged += 1  # a cancelled or moved-out person is not revived by a re-import
                continue
            changed.append((pk, name, phone, pindex, reg, hh_id, rel, dwelling_id, key, moved_in))
            kind = EventKind.MOVE if dwelling_id != o_dwelling else EventKind.UPDATE
            events.append((pk, kind.value, moved_in or today, "导入变更", o_key, key, user_id, now, key))
        households, active, n_new = self.households, ResidentStatus.ACTIVE.value, len(new)

        def new_rows():  # streamed: encryption overlaps with the database's work
            for i, (_n, name, idn, phone, reg, hh, rel, dwelling_id, key, moved_in, index, pindex) in enumerate(new):
                if i and i % TICK == 0:
                    tick("writing", i, n_new)
                yield (name, enc(idn, ID_FIELD), index, mask_id(idn), gender(idn), f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",
                       enc(phone, PHONE_FIELD) if phone else b"", pindex, mask_phone(phone), reg, households[hh][0], rel,
                       dwelling_id, active, moved_in, user_id, now, now, key)

        before = max_id(Resident)
        insert_rows(Resident, ["name", "id_cipher", "id_index", "id_masked", "gender", "birth_date", "phone_cipher",
                               "phone_index", "phone_masked", "reg_type", "household_id", "relation", "dwelling_id",
                               "status", "moved_in", "created_by_id", "created_at", "updated_at", "scope_key"], new_rows())
        report.created = n_new
        tick("history", 0, total)
        ids_by_index = dict(rows_after(Resident, ["id_index", "id"], before)) if new else {}
        events += [(ids_by_index[r[10]], EventKind.ADD.value, r[9] or today, "导入登记", "", r[8], user_id, now, r[8])
                   for r in new]
        if changed:
            objs = []
            for pk, name, phone, pindex, reg, hh_id, rel, dwelling_id, key, moved_in in changed:
                o = Resident(pk=pk, name=name, reg_type=reg, household_id=hh_id, relation=rel, dwelling_id=dwelling_id,
                             scope_key=key, moved_in=dt.date.fromisoformat(moved_in) if moved_in else None,
                             status=ResidentStatus.ACTIVE, phone_index=pindex, phone_masked=ids.mask_phone(phone),
                             phone_cipher=enc(phone, PHONE_FIELD) if phone else b"", updated_at=self.now)
                objs.append(o)
            Resident.objects.bulk_update(objs, ["name", "reg_type", "household_id", "relation", "dwelling_id",
                                                "scope_key", "moved_in", "status", "phone_index", "phone_masked",
                                                "phone_cipher", "updated_at"], batch_size=500)
            report.updated = len(changed)
        insert_rows(ResidentEvent, ["resident_id", "kind", "date", "reason", "from_key", "to_key", "actor_id",
                                    "created_at", "scope_key"], events)
        tick("done", total, total)


# ---------------------------------------------------------------- places and organisations


def _float(value: str, label: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise RowError(f"{label}不是数字") from None


def _int(value: str, label: str, default: int, model=None, name: str = "") -> int:
    """An integer cell; within ``model.name``'s column range when given (else a row error naming the column)."""
    if not value:
        return default
    try:
        n = int(value) if value.lstrip("+-").isdigit() else int(float(value))
    except (ValueError, OverflowError):
        raise RowError(f"{label}不是整数") from None
    why = limits.problem(model, name, n) if model is not None else None
    if why:
        raise RowError(f"{label}{why}")
    return n


def _text(value: str, label: str, model, name: str) -> str:
    """A text cell no longer than ``model.name``'s column."""
    why = limits.problem(model, name, value)
    if why:
        raise RowError(f"{label}{why}")
    return value


def _locate(rows: list[tuple], report: Report, prefix: str, lon_i: int, lat_i: int) -> list[tuple[tuple, dict]]:
    """Locate every (validated) row's point; rows outside the territory or one's scope are errors."""
    from gridgov.geo import locating
    from gridgov.geo.models import Grid

    if not rows:
        return []
    results = locating.locate_many([r[lon_i] for r in rows], [r[lat_i] for r in rows])
    keys = dict(Grid.objects.filter(layer__code="unit", code__in={x["unit_grid"] for x in results if x["unit_grid"]})
                .values_list("code", "scope_key"))
    out = []
    for r, x in zip(rows, results, strict=True):
        if not x["inside"]:
            report.errors.append((r[0], "位置不在辖区范围内"))
            continue
        key = keys.get(x["unit_grid"], x["community"]["code"])
        if not key.startswith(prefix):
            report.errors.append((r[0], "位置不在您的管辖范围内"))
            continue
        out.append((r, {"unit_grid": x["unit_grid"] or "", "management_grid": x["management_grid"] or "",
                        "community_code": x["community"]["code"], "scope_key": key}))
    return out


def _drop_foreign(model, key_field: str, good: list[tuple[int, dict]], report: Report, prefix: str) -> list:
    """Rows whose code is already registered outside one's scope are bad rows (found before anything is written)."""
    foreign = set()
    for part in chunks([it[key_field] for _, it in good]):
        foreign.update(model.objects.filter(**{f"{key_field}__in": part}).exclude(scope_key__startswith=prefix)
                       .values_list(key_field, flat=True))
    for n, it in good:
        if it[key_field] in foreign:
            report.errors.append((n, "编码已在您管辖范围以外登记"))
    return [(n, it) for n, it in good if it[key_field] not in foreign]


def _apply(model, key_field: str, items: list[dict], report: Report, prefix: str, user) -> None:
    """Create or update by natural key; only real differences are written."""
    existing = {}
    for part in chunks([it[key_field] for it in items]):
        existing.update({getattr(o, key_field): o for o in model.objects.filter(**{f"{key_field}__in": part})})
    new, upd, fields = [], [], set()
    for it in items:
        o = existing.get(it[key_field])
        if o is None:
            new.append(model(**it, created_by=user if getattr(user, "pk", None) else None))
            continue
        diff = [k for k, v in it.items() if k not in ("contact_phone_cipher",) and getattr(o, k) != v]
        if not diff:
            report.unchanged += 1
            continue
        for k, v in it.items():
            setattr(o, k, v)
        fields.update(diff + (["contact_phone_cipher"] if "contact_phone_masked" in diff else []))
        upd.append(o)
    model.objects.bulk_create(new, batch_size=1000)
    if upd:
        model.objects.bulk_update(upd, sorted(fields | {"updated_at"}), batch_size=500)
    report.created, report.updated = len(new), len(upd)


class BuildingImporter(_Importer):
    def validate(self, rows, report):
        g = {k: self.getter(k) for k in ("code", "name", "address", "lon", "lat", "floors")}
        seen, good = {}, []
        for n, row in enumerate(rows, start=2):
            try:
                code = g["code"](row)
                if not code or len(code) > 40:
                    raise RowError("楼栋编码为空或过长")
                if code in seen:
                    raise RowError(f"楼栋编码与第 {seen[code]} 行重复")
                seen[code] = n
                address = g["address"](row)
                if not address:
                    raise RowError("地址为空")
                lon, lat = _float(g["lon"](row), "经度"), _float(g["lat"](row), "纬度")
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise RowError("经纬度超出范围")
                good.append((n, code, _text(g["name"](row), "名称", Building, "name"),
                             _text(address, "地址", Building, "address"), lon, lat,
                             _int(g["floors"](row), "层数", 1, Building, "floors")))
            except RowError as e:
                report.errors.append((n, str(e)))
        self.items = []
        for r, where in _locate(good, report, self.prefix, 4, 5):
            self.items.append((r[0], {"code": r[1], "name": r[2], "address": r[3], "lon": r[4], "lat": r[5],
                                      "floors": r[6], **where}))
        return _drop_foreign(Building, "code", self.items, report, self.prefix)

    def write(self, good, report):
        _apply(Building, "code", [it for _, it in good], report, self.prefix, self.user)
        for b in Building.objects.filter(code__in=[it["code"] for _, it in good]):
            Dwelling.objects.filter(building=b).exclude(scope_key=b.scope_key).update(scope_key=b.scope_key)


class DwellingImporter(_Importer):
    def validate(self, rows, report):
        from decimal import Decimal, InvalidOperation

        g = {k: self.getter(k) for k in ("code", "building", "unit_no", "floor", "room", "use", "area_m2")}
        buildings = {code: (pk, key) for code, pk, key in
                     Building.objects.filter(scope_key__startswith=self.prefix).values_list("code", "id", "scope_key")}
        seen, good = {}, []
        for n, row in enumerate(rows, start=2):
            try:
                code = g["code"](row)
                if not code or len(code) > 60:
                    raise RowError("房屋编码为空或过长")
                if code in seen:
                    raise RowError(f"房屋编码与第 {seen[code]} 行重复")
                seen[code] = n
                b = buildings.get(g["building"](row))
                if b is None:
                    raise RowError("楼栋编码不存在或不在您的管辖范围内")
                room = g["room"](row)
                if not room:
                    raise RowError("室号为空")
                area = g["area_m2"](row)
                try:
                    area = Decimal(area).quantize(Decimal("0.01")) if area else None
                except InvalidOperation:
                    raise RowError("建筑面积不是数字") from None
                if limits.problem(Dwelling, "area_m2", area):
                    raise RowError("建筑面积" + limits.problem(Dwelling, "area_m2", area))
                good.append((n, {"code": code, "building_id": b[0], "scope_key": b[1],
                                 "unit_no": _text(g["unit_no"](row), "单元", Dwelling, "unit_no"),
                                 "floor": _int(g["floor"](row), "楼层", 1, Dwelling, "floor"),
                                 "room": _text(room, "室号", Dwelling, "room"),
                                 "use": _pick(USES, g["use"](row), "用途", DwellingUse.OWNER), "area_m2": area}))
            except RowError as e:
                report.errors.append((n, str(e)))
        return _drop_foreign(Dwelling, "code", good, report, self.prefix)

    def write(self, good, report):
        _apply(Dwelling, "code", [it for _, it in good], report, self.prefix, self.user)


class OrganisationImporter(_Importer):
    def validate(self, rows, report):
        g = {k: self.getter(k) for k in ("name", "credit_code", "kind", "address", "lon", "lat", "contact_name",
                                          "contact_phone", "opened_on", "closed_on")}
        seen, good = {}, []
        for n, row in enumerate(rows, start=2):
            try:
                name = g["name"](row)
                if not name:
                    raise RowError("单位名称为空")
                code = ids.normalize_credit(g["credit_code"](row))
                problem = ids.credit_problem(code)
                if problem:
                    raise RowError(problem)
                if code in seen:
                    raise RowError(f"统一社会信用代码与第 {seen[code]} 行重复")
                seen[code] = n
                address = g["address"](row)
                if not address:
                    raise RowError("地址为空")
                phone = ids.normalize_phone(g["contact_phone"](row))
                if phone and ids.phone_problem(phone):
                    raise RowError("联系电话" + ids.phone_problem(phone).removeprefix("手机号"))
                opened, closed = _date(g["opened_on"](row), "成立日期"), _date(g["closed_on"](row), "注销日期")
                if opened and closed and closed < opened:
                    raise RowError("注销日期早于成立日期")
                lon, lat = _float(g["lon"](row), "经度"), _float(g["lat"](row), "纬度")
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise RowError("经纬度超出范围")
                good.append((n, _text(name, "单位名称", Organisation, "name"), code,
                             _pick(ORG_KINDS, g["kind"](row), "单位类型", OrgKind.ENTERPRISE),
                             _text(address, "地址", Organisation, "address"), lon, lat,
                             _text(g["contact_name"](row), "联系人", Organisation, "contact_name"), phone, opened, closed))
            except RowError as e:
                report.errors.append((n, str(e)))
        c = cipher()
        out = []
        for r, where in _locate(good, report, self.prefix, 5, 6):
            phone = r[8]
            out.append((r[0], {"name": r[1], "credit_code": r[2], "kind": r[3], "address": r[4], "lon": r[5],
                               "lat": r[6], "contact_name": r[7], "contact_phone_masked": ids.mask_phone(phone),
                               "contact_phone_cipher": c.encrypt(phone, ORG_PHONE_FIELD) if phone else b"",
                               "opened_on": r[9], "closed_on": r[10], "unit_grid": where["unit_grid"],
                               "scope_key": where["scope_key"]}))
        return _drop_foreign(Organisation, "credit_code", out, report, self.prefix)

    def write(self, good, report):
        _apply(Organisation, "credit_code", [it for _, it in good], report, self.prefix, self.user)


IMPORTERS = {"residents": ResidentImporter, "organisations": OrganisationImporter, "buildings": BuildingImporter,
             "dwellings": DwellingImporter}

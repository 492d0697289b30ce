"""Code formats of GB/T 47678.5-2026 and the legacy → new mapping rule — pure, no Django import.

- class code 分类代码: 5 digits = 2-digit major 大类 + 3-digit minor 小类 (e.g. 06010 暴露垃圾)
- component 管理部件标识码: 17 digits = 6-digit division + 5-digit class + 6-digit serial
- matter 事项代码: 11 digits = 6-digit division + 5-digit class
- legacy component (CJ/T 214-2007): 16 digits = 6 + 4-digit class (2 major + 2 minor) + 6 serial
- legacy event class (CJ/T 214-2007 / GB/T 30428.2-2013 era): 4 digits = 2 major + 2 minor; observed mapping
  new matter code = (old major + 5) ‖ "0" ‖ old minor (e.g. 01-10 暴露垃圾 → 06010, 04-05 店外经营 → 09005)
"""

import re

CLASS_RE = re.compile(r"\d{5}")
COMPONENT_RE = re.compile(r"(\d{6})(\d{5})(\d{6})")
MATTER_RE = re.compile(r"(\d{6})(\d{5})")
SERIAL_MAX = 999_999


def is_class_code(code: str) -> bool:
    return bool(CLASS_RE.fullmatch(code or ""))


def component_code(division: str, class_code: str, serial: int) -> str:
    """The 17-digit 管理部件标识码."""
    if not re.fullmatch(r"\d{6}", division or ""):
        raise ValueError(f"行政区划代码应为 6 位数字，收到「{division}」")
    if not is_class_code(class_code):
        raise ValueError(f"部件分类代码应为 5 位数字，收到「{class_code}」")
    if not 1 <= serial <= SERIAL_MAX:
        raise ValueError(f"顺序码应在 1～{SERIAL_MAX} 之间，收到 {serial}")
    return f"{division}{class_code}{serial:06d}"


def parse_component_code(code: str) -> tuple[str, str, int] | None:
    """(division, class code, serial) of a 17-digit component code, or None when malformed."""
    m = COMPONENT_RE.fullmatch(code or "")
    if not m or int(m.group(3)) == 0:
        return None
    return m.group(1), m.group(2), int(m.group(3))


def matter_code(division: str, class_code: str) -> str:
    """The 11-digit 事项代码."""
    if not re.fullmatch(r"\d{6}", division or "") or not is_class_code(class_code):
        raise ValueError(f"事项代码由 6 位区划代码和 5 位分类代码组成，收到「{division}」「{class_code}」")
    return division + class_code


def class_of(code: str) -> str | None:
    """The 5-digit class code in a 5-digit class code, an 11-digit matter code or a 17-digit component code."""
    code = (code or "").strip()
    if CLASS_RE.fullmatch(code):
        return code
    if MATTER_RE.fullmatch(code):
        return code[6:]
    if COMPONENT_RE.fullmatch(code):
        return code[6:11]
    return None


def normalise_legacy(code: str) -> str | None:
    """A legacy 4-digit class code from "0110", "01-10", "01.10" or "0110 " (None when malformed)."""
    digits = re.sub(r"[\s\-._]", "", code or "")
    return digits if re.fullmatch(r"\d{4}", digits) else None


def event_rule(code: str) -> str | None:
    """The GB/T 47678.5 matter class the observed rule gives for a legacy event class, or None.

    new = (old major + 5) ‖ "0" ‖ old minor. Whether that class exists is for the caller to check.
    """
    digits = normalise_legacy(code)
    if digits is None:
        return None
    major = int(digits[:2]) + 5
    if not 6 <= major <= 99:
        return None
    return f"{major:02d}0{digits[2:]}"


_BRACKETS = str.maketrans({"（": "(", "）": ")", " ": "", "\u3000": ""})


def normalise_name(name: str) -> str:
    """Names compared across catalogs: full-width brackets and spaces do not count."""
    return (name or "").translate(_BRACKETS).strip()


def read_csv_text(text: str) -> list[dict[str, str]]:
    """Rows of a bundled CSV: leading ``#`` lines are its source notes, then a header line."""
    import csv
    import io

    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO("\n".join(lines)))]


# ---------------------------------------------------------------- the open catalog (area: matters)
# Local (non-national) classes use majors 50–99; GB/T 47678.5 uses 01–49, so a local code never collides.
NATIONAL_MAJORS = range(1, 50)
LOCAL_MAJORS = range(50, 100)


def is_local_code(code: str) -> bool:
    """A 5-digit class code in the local range (major 50–99)."""
    return is_class_code(code) and int(code[:2]) in LOCAL_MAJORS


def local_code_refusal(code: str) -> tuple[str, str] | None:
    """Why ``code`` cannot be a new local class — (stable code, Chinese message) — or None when it can."""
    code = (code or "").strip()
    if not is_class_code(code):
        return "invalid_code", f"分类代码应为 5 位数字（2 位大类 + 3 位小类），收到「{code}」"
    major, minor = int(code[:2]), int(code[2:])
    if major in NATIONAL_MAJORS:
        return ("national_code", f"分类代码「{code}」属于国家标准 GB/T 47678.5 的代码段（大类 01–49），"
                                 "本地事项请使用大类 50–99")
    if major not in LOCAL_MAJORS or minor == 0:
        return "code_out_of_range", f"本地分类代码应为大类 50–99、小类 001–999，收到「{code}」"
    return None

"""The question-bank sheet (Excel): its columns and the check of each row — pure, no Django.

Columns: 题型 (单选 / 多选 / 判断), 题目, 选项A … 选项F (choice questions: at least two, without gaps), 答案 (letters,
or 对 / 错), 分值 (1–100). ``parse`` answers the questions and the row-numbered Chinese errors (row 1 is the
header, so the first question is 第 2 行); the caller writes nothing when there is any error.
"""

from dataclasses import dataclass

from .marking import LETTERS, normalise

OPTION_COLUMNS = [f"选项{c}" for c in LETTERS[:6]]
HEADER = ["题型", "题目", *OPTION_COLUMNS, "答案", "分值"]
KINDS = {"单选": "single", "单选题": "single", "多选": "multiple", "多选题": "multiple", "判断": "true_false",
         "判断题": "true_false"}
TEXT_MAX, OPTION_MAX, POINTS_MAX = 1000, 200, 100
EXAMPLE = [
    ["单选", "网格员发现问题后应当首先做什么？", "拍照取证并上报", "自行处理完毕", "等待居民投诉", "", "", "", "A", "10"],
    ["多选", "以下哪些属于网格员的巡查内容？", "市容环境", "安全隐患", "个人私事", "矛盾纠纷", "", "", "ABD", "10"],
    ["判断", "网格员可以将居民的手机号码告诉无关人员。", "", "", "", "", "", "", "错", "10"],
]


@dataclass(frozen=True)
class Parsed:
    kind: str
    text: str
    options: list[str]
    answer: str
    points: int


def parse(rows: list[list[str]]) -> tuple[list[Parsed], list[str]]:
    """(questions, errors) of a sheet's rows (header first)."""
    if not rows:
        return [], ["文件为空：第 1 行应为表头（题型、题目、选项A…、答案、分值）"]
    header = [(h or "").strip() for h in rows[0]]
    index = {name: header.index(name) for name in HEADER if name in header}
    missing = [h for h in ("题型", "题目", "答案", "分值") if h not in index]
    if missing:
        return [], [f"第 1 行：缺少列「{'、'.join(missing)}」"]
    out, errors = [], []
    for n, row in enumerate(rows[1:], start=2):
        def cell(name, row=row):
            i = index.get(name)
            return (row[i] if i is not None and i < len(row) else "").strip()

        if not any((v or "").strip() for v in row):
            continue
        problems = []
        kind = KINDS.get(cell("题型"))
        if kind is None:
            problems.append(f"题型「{cell('题型')[:20]}」应为 单选、多选 或 判断")
        text = cell("题目")
        if not text:
            problems.append("题目不能为空")
        elif len(text) > TEXT_MAX:
            problems.append(f"题目不能超过 {TEXT_MAX} 个字")
        options = [cell(c) for c in OPTION_COLUMNS]
        while options and not options[-1]:
            options.pop()
        if kind in ("single", "multiple"):
            if len(options) < 2:
                problems.append("选择题至少要有选项A和选项B")
            elif not all(options):
                problems.append("选项之间不能有空缺")
            elif any(len(o) > OPTION_MAX for o in options):
                problems.append(f"选项不能超过 {OPTION_MAX} 个字")
        elif kind == "true_false" and options:
            problems.append("判断题不填选项")
        answer = normalise(kind, cell("答案"), len(options)) if kind else None
        if kind and answer is None:
            problems.append(f"答案「{cell('答案')[:20]}」无效（"
                            + {"single": "单选题填一个选项字母", "multiple": "多选题填选项字母，如 ABD",
                               "true_false": "判断题填 对 或 错"}[kind] + "）")
        try:
            points = int(cell("分值"))
        except ValueError:
            points = 0
        if not 1 <= points <= POINTS_MAX:
            problems.append(f"分值应为 1～{POINTS_MAX} 的整数")
        if problems:
            errors.append(f"第 {n} 行：" + "；".join(problems))
        else:
            out.append(Parsed(kind, text, options if kind != "true_false" else [], answer, points))
    if not out and not errors:
        errors.append("文件中没有试题")
    return out, errors

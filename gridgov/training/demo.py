"""Demo of 培训考试 (synthetic, deterministic): two courses with materials, a bank of 30 questions imported from an
Excel sheet, an exam taken by grid workers of 东华门街道 (three passed, two failed, one in progress), and last month's
whole-staff and partial trainings of that street, entered in the assessment's training register (the whole one
confirmed by the centre)."""

import datetime as dt
import random

from django.utils import timezone

from gridgov import spreadsheets
from gridgov.accounts.models import User

from . import services
from .logic import sheet

DISTRICT, STREET = "110101", "110101001"
TRUE = ["居民的手机号码在列表中应掩码显示", "网格员上报问题时应附现场照片和位置", "案件结案后应进行回访",
        "全体网格员的业务培训分批进行的算一次", "巡查中发现的安全隐患应及时上报", "网格员应熟悉责任网格内的人、地、事、物、组织",
        "查看居民完整身份证号须说明理由并留痕", "超过处置时限的案件应进入督办", "网格员每天应按计划在责任网格内巡查",
        "系统中的每一次修改都会记入审计日志"]
FALSE = ["网格员可以把居民的电话告诉无关人员", "发现问题后可以等居民投诉再处理", "巡查轨迹可以由他人代为上传",
         "考试超时后仍可补交答案", "网格员可以私自收费处理问题", "居民个人信息可以随意导出给他人",
         "网格员不需要熟悉责任网格的情况", "上报照片可以用往日拍摄的替代", "督办通知书可以不予回复", "结案时无需核查处置结果"]
THINGS = ["占道经营", "暴露垃圾", "井盖缺失", "违章停车", "乱贴小广告", "私搭乱建", "路灯不亮", "绿地破坏", "路面积水",
          "渣土遗撒", "道路破损", "违规户外广告"]
SINGLE_OPTIONS = ["拍照定位后上报", "置之不理", "等居民投诉再说", "自行收费处理"]
LETTERS = "ABCD"


def rows() -> list[list[str]]:
    """The bank's 30 questions as sheet rows (12 单选, 8 多选, 10 判断; 10 points each)."""
    out = []
    for i, thing in enumerate(THINGS):
        opts = SINGLE_OPTIONS[:]
        random.Random(f"single:{i}").shuffle(opts)
        out.append(["单选", f"网格员巡查中发现{thing}，首先应当：", *opts, "", "", LETTERS[opts.index(SINGLE_OPTIONS[0])],
                    "10"])
    for i in range(8):
        opts = [(TRUE[i], True), (TRUE[(i + 2) % 10], True), (FALSE[i], False), (FALSE[(i + 2) % 10], False)]
        random.Random(f"multiple:{i}").shuffle(opts)
        answer = "".join(LETTERS[j] for j, (_, right) in enumerate(opts) if right)
        out.append(["多选", f"下列关于网格工作的说法，正确的有（第 {i + 1} 组）：", *[t for t, _ in opts], "", "", answer,
                    "10"])
    for i in range(10):
        statement, right = (TRUE[i], True) if i % 2 == 0 else (FALSE[i], False)
        out.append(["判断", f"判断：{statement}。", "", "", "", "", "", "", "对" if right else "错", "10"])
    return out


def _answer(q, right: bool) -> str:
    if right:
        return q.answer
    if q.kind == "true_false":
        return "F" if q.answer == "T" else "T"
    return next(c for c in LETTERS if c not in q.answer)  # one wrong letter


def build(stdout, scale: str) -> None:
    admin, supervisor, shift = (User.objects.get(username=n) for n in ("admin", "supervisor", "shift"))
    basics = services.create_course(admin, "网格员业务基础", "网格员的职责、巡查上报流程、案件时限与督办。", DISTRICT,
                                    ["grid_worker", "grid_leader", "grid_supervisor"])
    services.add_material(admin, basics.pk, "网格员工作职责",
                          "一、每日按计划在责任网格内巡查，做到人、地、事、物、组织五清。\n"
                          "二、发现问题及时拍照定位上报，跟踪处置结果并协助回访。\n三、熟悉居民情况，依法保护个人信息。")
    services.add_material(admin, basics.pk, "巡查上报流程（附件）", "",
                          ("巡查上报流程.txt", "发现 → 拍照定位 → 上报 → 立案 → 派遣 → 处置 → 核查 → 结案 → 回访\n"
                           .encode()))
    privacy = services.create_course(admin, "个人信息保护与信息安全", "全体工作人员必修：个人信息的掩码、查看留痕和导出规定。",
                                     DISTRICT)
    services.add_material(admin, privacy.pk, "个人信息保护要点",
                          "居民姓名、电话、身份证号默认掩码显示；确需查看完整信息的，须说明理由，系统记录每一次查看。")
    bank = services.create_bank(admin, "网格员业务知识题库", DISTRICT)
    data, _ = spreadsheets.write("xlsx", sheet.HEADER, rows(), title="试题")
    services.import_questions(admin, bank.pk, data, "题库.xlsx")
    exam = services.create_exam(admin, basics.pk, bank.pk, "网格员业务知识考试", 10, 30, 60)
    services.create_exam(admin, privacy.pk, bank.pk, "个人信息保护测验", 5, 15, 30)

    workers = list(User.objects.filter(username__startswith="demo-w", node_key__startswith=STREET)
                   .order_by("username")[:7])
    for w, right in zip(workers, [9, 8, 7, 5, 4, None], strict=False):  # None: in progress, 3 answers saved
        a = services.start(w, exam.pk)
        qs = services.questions_of(a)
        if right is None:
            services.save_answers(w, a.pk, {str(q.pk): _answer(q, True) for q in qs[:3]})
        else:
            services.submit(w, a.pk, {str(q.pk): _answer(q, n < right) for n, q in enumerate(qs)})

    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    street_staff = [u.username for u in User.objects.filter(role="grid_worker", node_key__startswith=STREET)]
    whole = services.record_session(supervisor, first + dt.timedelta(days=9), "网格员业务知识全员培训", "whole",
                                    street_staff, course_id=basics.pk)
    from gridgov.ledgers import services as ledgers

    ledgers.review_training(shift, whole.ledger_id, True)
    services.record_session(supervisor, first + dt.timedelta(days=19), "新入职网格员岗前培训", "partial",
                            [u.username for u in workers[:3]], course_id=privacy.pk)
    stdout(f"培训考试：2 门课程，题库 {bank.questions.count()} 道题，{len(workers[:6])} 名网格员参加考试，"
           f"上月 2 场培训（{len(street_staff)} 人全员、3 人部分）记入考评台账")

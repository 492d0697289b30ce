"""The assessment items a confirmed flag can zero (003 篇7 附件1; keys of the assessment's shared contract) and the
item each kind of flag zeroes by default (第五条「如发现弄虚作假行为，当月该项考评记0分」; the reviewer may choose
another). No Django here."""

from gridgov.assess.logic.scheme import shipped_items

ITEMS = shipped_items()  # the assessment scheme's own keys and names (003 篇7 附件1)

KINDS = {
    "photo_place": "照片位置不符", "photo_time": "照片时间不符", "photo_reuse": "照片重复使用",
    "speed": "移动速度异常", "repeat_close": "重复结案", "quick_reopen": "结案后短期重办", "manual": "督查发现",
}

# photos and cases inflate the case figures (案件数量); a worker's impossible movements falsify the patrol and
# attendance records the street's 规范管理 rests on; a case closed before it was done inflates 结案率
DEFAULT_ITEM = {
    "photo_place": "case_count", "photo_time": "case_count", "photo_reuse": "case_count", "speed": "management",
    "repeat_close": "case_count", "quick_reopen": "closure_rate", "manual": "case_count",
}

SUBJECTS = {"case": "案件", "photo": "照片", "worker": "人员", "unit": "街道"}

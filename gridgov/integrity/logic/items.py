"""The assessment items a confirmed flag can zero (003 篇7 附件1; keys of the assessment's shared contract) and the
item each kind of flag zeroes by default (第五条「如发现弄虚作假行为，当月该项考评记0分」; the reviewer may choose
another). No Django here."""

ITEMS = {
    "subcentre": "分中心建设", "system_uptime": "系统运行", "geo_update": "地理信息更新", "grid_update": "网格信息更新",
    "component_update": "部件信息更新", "case_count": "案件数量", "quality_sample": "案件质量·抽查",
    "type_diversity": "案件质量·类型多样性", "discovery": "发现率", "feedback": "及时反馈", "closure_rate": "结案率",
    "staffing": "人员到位", "training": "专业化", "management": "规范管理", "city_dispatch": "市区两级平台派件",
    "special_tasks": "市区两级专项", "big_data": "大数据分析", "public_channels": "社会参与", "publicity": "宣传",
    "innovation": "创新工作机制",
}

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

"""Reference data of visits: the time limits (DeadlineRule rows with their legal basis and
confidence, DOMAIN.md §2.3, §2.5), the checklist by venue type and a seed catalogue of violation
codes (the enforcement part grows it).

Confidence marks as in DOMAIN.md: [H] statute text read, [M] one secondary source, [L] a
placeholder to verify with the detachment's legal office (法制科).
"""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2012, 11, 1)  # 《消防监督检查规定》 (公安部令第120号) in force

RULES = [
    # code, name, count, unit, start event, legal basis (with confidence)
    (
        "inspection.deadline_notice",
        "送达责令限期改正通知书",
        3,
        "working_day",
        "现场检查",
        "《消防监督检查规定》（公安部令第120号）：不能当场改正的，应当在检查之日起三个工作日内"
        "制作、送达责令限期改正通知书〔可信度 M，DOMAIN.md §2.5〕",
    ),
    (
        "inspection.recheck",
        "整改期满或申请后复查",
        3,
        "working_day",
        "整改期限届满或收到复查申请",
        "《消防监督检查规定》（公安部令第120号）：在责令限期改正期限届满或者收到当事人的复查"
        "申请之日起三个工作日内进行复查〔可信度 M，DOMAIN.md §2.5〕",
    ),
    (
        "inspection_result_publication",
        "抽查结果公示",
        20,
        "working_day",
        "现场检查",
        "国务院办公厅关于推广随机抽查规范事中事后监管的通知（国办发〔2015〕58号）：抽查结果及时"
        "公开，一般在二十个工作日内〔可信度 L，待法制科核实，DOMAIN.md §2.3〕",
    ),
]

GENERAL = [
    # code, text, basis, confidence
    ("G01", "建筑物或者场所依法通过消防验收或者备案，使用性质与验收、备案时相符",
     "《消防监督检查规定》第十条第一、二项", "M"),
    ("G02", "消防安全制度、灭火和应急疏散预案已制定", "《消防监督检查规定》第十条第三项；《消防法》第十六条第一款第一项", "M"),
    ("G03", "消防设施、器材和消防安全标志定期维修保养检测，完好有效",
     "《消防监督检查规定》第十条第四项；《消防法》第十六条第一款第二、三项", "M"),
    ("G04", "电器线路、燃气管路定期维护保养、检测", "《消防监督检查规定》第十条第五项", "M"),
    ("G05", "疏散通道、安全出口、消防车通道畅通，防火分区未改变，防火间距未被占用",
     "《消防监督检查规定》第十条第六项；《消防法》第十六条第一款第四项", "M"),
    ("G06", "组织防火检查、消防演练和员工消防安全教育培训",
     "《消防监督检查规定》第十条第七项；《消防法》第十六条第一款第五、六项", "M"),
    ("G07", "自动消防系统操作人员持证上岗，消防控制室按规定值班",
     "《消防监督检查规定》第十条第七项；GB 25506-2010 第 4.2.1 条", "M"),
]
KEY_UNIT = [
    ("K01", "确定消防安全管理人", "《消防监督检查规定》第十一条第一项；《消防法》第十七条", "M"),
    ("K02", "开展每日防火巡查并建立巡查记录", "《消防监督检查规定》第十一条第二项", "M"),
    ("K03", "定期组织消防安全培训和消防演练", "《消防监督检查规定》第十一条第三项；《消防法》第十七条第二款第四项", "M"),
    ("K04", "建立消防档案，确定消防安全重点部位", "《消防监督检查规定》第十一条第四项；《消防法》第十七条第二款第一项", "M"),
]
GATHERING = [
    ("P01", "门窗上未设置影响逃生和灭火救援的障碍物",
     "《消防法》第二十八条、第六十条第一款第六项", "H"),
    ("P02", "营业期间安全出口未锁闭，疏散指示标志和应急照明完好",
     "《消防监督检查规定》第十二条；《消防法》第二十八条", "M"),
]
STORAGE = [
    ("S01", "生产、储存、经营易燃易爆危险品的场所未与居住场所设置在同一建筑物内",
     "《消防监督检查规定》第十条第八项；《消防法》第十九条", "M"),
    ("S02", "生产、储存、经营其他物品的场所与居住场所设置在同一建筑物内的，符合消防技术标准",
     "《消防监督检查规定》第十条第九项；《消防法》第十九条第二款", "M"),
]
CARE = [
    ("C01", "夜间值班和巡查人员在岗，行动不便人员的疏散预案落实",
     "《消防监督检查规定》第十二条（人员密集场所）", "L"),
]
GATHERING_TYPES = (
    "hotel", "restaurant", "mall", "market", "terminal", "stadium", "hall", "cinema", "dance",
    "teahouse", "games", "bowling", "sauna", "fitness", "entertainment",
)

VIOLATIONS = [
    ("XF16-1-1", "未落实消防安全责任制，未制定消防安全制度、操作规程或者灭火和应急疏散预案",
     "《消防法》第十六条第一款第一项"),
    ("XF60-1-1", "消防设施、器材或者消防安全标志的配置、设置不符合国家标准、行业标准，或者未保持完好有效",
     "《消防法》第十六条第一款第二项、第六十条第一款第一项"),
    ("XF60-1-2", "损坏、挪用或者擅自拆除、停用消防设施、器材", "《消防法》第六十条第一款第二项"),
    ("XF60-1-3", "占用、堵塞、封闭疏散通道、安全出口或者有其他妨碍安全疏散行为",
     "《消防法》第六十条第一款第三项"),
    ("XF60-1-4", "埋压、圈占、遮挡消火栓或者占用防火间距", "《消防法》第六十条第一款第四项"),
    ("XF60-1-5", "占用、堵塞、封闭消防车通道，妨碍消防车通行", "《消防法》第六十条第一款第五项"),
    ("XF60-1-6", "人员密集场所在门窗上设置影响逃生和灭火救援的障碍物", "《消防法》第六十条第一款第六项"),
    ("XF60-1-7", "对火灾隐患经消防救援机构通知后不及时采取措施消除", "《消防法》第六十条第一款第七项"),
    ("XF16-1-3", "未对建筑消防设施每年至少进行一次全面检测", "《消防法》第十六条第一款第三项"),
    ("XF16-1-5", "未组织防火检查或者未及时消除火灾隐患", "《消防法》第十六条第一款第五项"),
    ("XF17-2-4", "消防安全重点单位未组织员工进行岗前消防安全培训或者定期培训、演练",
     "《消防法》第十七条第二款第四项"),
    ("XF21-2", "违反规定使用明火作业或者在具有火灾、爆炸危险的场所吸烟、使用明火",
     "《消防法》第二十一条、第六十三条"),
    ("XF64-1-1", "消防控制室值班人员未持证上岗或者值班不符合规定",
     "《消防法》第十六条；GB 25506-2010 第 4.2.1 条"),
]


def _checklist():
    rows = []
    order = 0
    for group, types, key_only in (
        (GENERAL, ("",), False),
        (KEY_UNIT, ("",), True),
        (GATHERING, GATHERING_TYPES, False),
        (STORAGE, ("factory", "warehouse"), False),
        (CARE, ("hospital", "school"), False),
    ):
        for code, text, basis, confidence in group:
            order += 10
            for venue_type in types:
                rows.append((code, venue_type, key_only, text, basis, confidence, order))
    return rows


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for code, name, count, unit, start_event, basis in RULES:
        DeadlineRule.objects.update_or_create(
            code=code,
            effective_from=EFFECTIVE,
            defaults={
                "name": name,
                "count": count,
                "unit": unit,
                "start_event": start_event,
                "legal_basis": basis,
            },
        )
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for code, venue_type, key_only, text, basis, confidence, order in _checklist():
        ChecklistItem.objects.update_or_create(
            code=code,
            venue_type=venue_type,
            defaults={
                "key_units_only": key_only,
                "text": text,
                "basis": basis,
                "confidence": confidence,
                "sort_order": order,
            },
        )
    ViolationCode = apps.get_model("inspections", "ViolationCode")
    for code, title, basis in VIOLATIONS:
        ViolationCode.objects.update_or_create(
            code=code, defaults={"title": title, "legal_basis": basis}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_visits"),
        ("core", "0006_clocks_and_rule_fields"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The time limits and thresholds of fire investigation, as data (DOMAIN.md §5, §0).

Periods (core.DeadlineRule), all in calendar days, the day of the starting event not counted:
- determination: 30 days from the day the alarm was received, testing and appraisal time not
  counted, extendable once by 30 days with the next-higher authority's approval
  (《火灾事故调查规定》公安部令第121号); Lishui's promise (八项举措 measure 5) of 20 days
  for an enterprise fire with no dispute and no criminal liability;
- the simple determination letter filed within 2 days;
- service of the determination within 7 days of making it; when it cannot be served, a notice
  posted within 7 days, served 20 days after posting [M];
- loss declarations within 7 days of the fire being put out [M];
- review: applied for within 15 days of service (第三十五条), acceptance decided within 7 days
  (第三十六条), the original authority's explanation and case file within 10 days of being told
  (第三十七条), the decision within 30 days of acceptance, a remanded case
  re-determined within 15 days [M].

Thresholds (InvestigationLimits): jurisdiction by severity [M]; the simple procedure's
"minor loss" is set by the province (具体数额标准由省级机构确定). Zhejiang's
figure was not found: the seeded 10,000 yuan is a placeholder for the detachment to confirm, and
the row says so (DOMAIN.md Appendix A).
"""

import datetime
from decimal import Decimal

from django.db import migrations

REG = "《火灾事故调查规定》（公安部令第121号）"
EFFECTIVE = datetime.date(2012, 11, 1)
# The eight measures' date as the permits app takes it (its green-channel targets).
PROMISE_FROM = datetime.date(2021, 6, 1)

RULES = [
    # code, name, count, warn before, start event, basis, extensions (max, size), effective from
    (
        "fire.determination.statutory",
        "火灾事故认定（一般）",
        30,
        5,
        "接到火灾报警",
        REG + "（接到火灾报警之日起三十日内作出认定；情况复杂、疑难的，经上一级批准可延长三十日；检验、鉴定时间不计入）",
        (1, 30),
        EFFECTIVE,
    ),
    (
        "fire.determination.promise",
        "火灾事故认定（无争议企业火灾，承诺时限）",
        20,
        3,
        "接到火灾报警",
        "丽水市消防救援支队“八项举措”第五项（无争议、不涉及刑事责任的企业火灾20日内出具认定）；" + REG,
        (0, 0),
        PROMISE_FROM,
    ),
    ("fire.simple.filing", "简易调查认定书备案", 2, 1, "当场制作简易调查认定书", REG, (0, 0), EFFECTIVE),
    ("fire.service", "火灾事故认定书送达", 7, 2, "作出火灾事故认定", REG, (0, 0), EFFECTIVE),
    ("fire.notice.post", "公告送达（无法直接送达）", 7, 2, "确认无法直接送达", REG, (0, 0), EFFECTIVE),
    ("fire.notice.period", "公告期满视为送达", 20, 0, "张贴公告", REG, (0, 0), EFFECTIVE),
    ("fire.loss.declaration", "直接财产损失申报", 7, 2, "火灾扑灭", REG, (0, 0), EFFECTIVE),
    ("fire.review.apply", "申请复核", 15, 3, "火灾事故认定书送达", REG + "第三十五条", (0, 0), EFFECTIVE),
    ("fire.review.accept", "复核受理决定", 7, 2, "收到复核申请", REG + "第三十六条", (0, 0), EFFECTIVE),
    ("fire.review.file", "原认定机构提交书面说明及案卷", 10, 3, "收到复核受理通知", REG + "第三十七条", (0, 0), EFFECTIVE),
    ("fire.review.decide", "复核决定", 30, 5, "受理复核申请", REG, (0, 0), EFFECTIVE),
    ("fire.redetermine", "重新作出火灾事故认定", 15, 3, "收到责令重新认定的复核决定", REG, (0, 0), EFFECTIVE),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for code, name, count, warn, start_event, basis, (max_ext, ext), effective in RULES:
        DeadlineRule.objects.update_or_create(
            code=code,
            effective_from=effective,
            defaults={
                "name": name,
                "count": count,
                "unit": "calendar_day",
                "warn_before": warn,
                "start_event": start_event,
                "legal_basis": basis,
                "max_extensions": max_ext,
                "extension_count": ext,
                "pauses_stop_clock": True,
            },
        )
    InvestigationLimits = apps.get_model("fire_investigation", "InvestigationLimits")
    InvestigationLimits.objects.update_or_create(
        effective_from=EFFECTIVE,
        defaults={
            "simple_max_loss_yuan": Decimal("10000"),
            "province_deaths": 10,
            "province_serious_injuries": 20,
            "province_households": 50,
            "detachment_deaths": 1,
            "detachment_serious_injuries": 10,
            "detachment_households": 30,
            "legal_basis": REG
            + "（管辖按伤亡、受灾户数；简易程序的损失标准由省级机构确定，浙江省数额待支队确认，暂按一万元）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fire_investigation", "0001_initial"),
        ("core", "0011_penalties_and_referrals"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

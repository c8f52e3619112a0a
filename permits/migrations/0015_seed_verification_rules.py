"""After-permit rules of the commitment path, as data (DOMAIN.md §1.2, §1.5, ADR 0026).

* the re-check on the unit's request: 3 working days from receiving it (the deadline-based
  re-check, ``permit.recheck``, was seeded by 0002);
* the fine of Fire Law art. 58(1)(iv) for a venue that verification finds different from its
  commitment: CNY 30,000–300,000, with the order to stop use or suspend business.
"""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2021, 6, 1)  # the 2021 Fire Law amendment (告知承诺) in force


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    PenaltyRange = apps.get_model("core", "PenaltyRange")
    DeadlineRule.objects.update_or_create(
        code="permit.recheck_on_request",
        effective_from=EFFECTIVE,
        defaults={
            "name": "申请复查后复查",
            "count": 3,
            "unit": "working_day",
            "start_event": "收到复查申请",
            "legal_basis": "《公众聚集场所投入使用、营业消防安全检查规则》（整改期限届满或者收到"
            "复查申请之日起三个工作日内复查）〔可信度 M，DOMAIN.md §1.2〕",
        },
    )
    PenaltyRange.objects.update_or_create(
        code="fire_law.58.1.4",
        effective_from=EFFECTIVE,
        defaults={
            "name": "公众聚集场所未经消防安全检查或者经检查不符合消防安全要求，擅自投入使用、"
            "营业的（含经核查发现场所使用、营业情况与承诺内容不符的）",
            "fine_min": 30000,
            "fine_max": 300000,
            "other_measures": "责令停止使用或者停产停业",
            "legal_basis": "《中华人民共和国消防法》第五十八条第一款第四项",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0014_verification_orders_and_recheck_requests"),
        ("core", "0011_penalties_and_referrals"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The detachment and its nine county-level brigades (DOMAIN.md 9.1).

Division codes other than Qingyuan's (331126) are marked [M] in DOMAIN.md: administrators can
correct them in the admin without a code change.
"""

from django.db import migrations

DETACHMENT = ("LS", "丽水市消防救援支队", "Lishui Fire and Rescue Detachment", "丽水市", "331100")
BRIGADES = [
    ("LD", "莲都区消防救援大队", "Liandu District Fire and Rescue Brigade", "莲都区", "331102"),
    ("LQ", "龙泉市消防救援大队", "Longquan City Fire and Rescue Brigade", "龙泉市", "331181"),
    ("QT", "青田县消防救援大队", "Qingtian County Fire and Rescue Brigade", "青田县", "331121"),
    ("JY", "缙云县消防救援大队", "Jinyun County Fire and Rescue Brigade", "缙云县", "331122"),
    ("SC", "遂昌县消防救援大队", "Suichang County Fire and Rescue Brigade", "遂昌县", "331123"),
    ("SY", "松阳县消防救援大队", "Songyang County Fire and Rescue Brigade", "松阳县", "331124"),
    ("YH", "云和县消防救援大队", "Yunhe County Fire and Rescue Brigade", "云和县", "331125"),
    ("QY", "庆元县消防救援大队", "Qingyuan County Fire and Rescue Brigade", "庆元县", "331126"),
    (
        "JN",
        "景宁畲族自治县消防救援大队",
        "Jingning She Autonomous County Fire and Rescue Brigade",
        "景宁畲族自治县",
        "331127",
    ),
]


def seed(apps, schema_editor):
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    code, zh, en, division, division_code = DETACHMENT
    detachment, _ = OrgUnit.objects.update_or_create(
        code=code,
        defaults={
            "kind": "detachment",
            "name_zh": zh,
            "name_en": en,
            "division_name": division,
            "division_code": division_code,
            "sort_order": 0,
        },
    )
    for order, (code, zh, en, division, division_code) in enumerate(BRIGADES, start=1):
        OrgUnit.objects.update_or_create(
            code=code,
            defaults={
                "kind": "brigade",
                "name_zh": zh,
                "name_en": en,
                "division_name": division,
                "division_code": division_code,
                "parent": detachment,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Demo data of the registry, called by ``manage.py seed_demo`` (inside its transaction).

About 200 enterprises across the nine county brigades with valid unified social credit codes,
venue types, risk levels and credit ratings A–D.

* Idempotent: enterprises are keyed by USCC; the USCCs are derived from the county and a running
  number, not from chance, so they stay the same from run to run. A second run updates the same
  rows and creates nothing new; a rating, once given, is left alone.
* Deterministic: names, addresses and ratings come from ``random.Random(2026)``.
"""

from __future__ import annotations

import random
from typing import TextIO

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import USCC_CHARSET, is_valid_uscc, uscc_check_char

from .models import CreditRatingChange, Enterprise, RatingSource, RiskLevel, VenueType


def seed(stdout: TextIO) -> None:
    created = _seed_enterprises()
    stdout.write(f"{Enterprise.objects.count()} enterprises ({created} new)\n")
    totals = _seed_credit_record()
    stdout.write(f"credit-grade proposals: {totals['created']} new, {totals['unchanged']} kept\n")


# A few facts of the credit record (each keyed by its source, so a second run adds nothing), then
# a recalculation: the supervisors find proposals waiting with the facts behind them.
CREDIT_FACTS = [
    # brigade, n-th unit of the brigade, kind, days ago
    ("LD", 0, "commendation", 40),
    ("LD", 0, "rectified_on_time", 90),
    ("LD", 1, "false_commitment", 60),
    ("LD", 2, "penalty", 120),
    ("LD", 2, "penalty", 30),
    ("LD", 2, "rectified_late", 20),
    ("LQ", 0, "commendation", 15),
    ("YH", 0, "fire", 200),
]


def _seed_credit_record() -> dict[str, int]:
    import datetime as dt

    from django.utils import timezone

    from .services import propose_grades, record_credit_event

    today = timezone.localdate()
    touched = []
    for n, (brigade, index, kind, days) in enumerate(CREDIT_FACTS):
        units = list(Enterprise.objects.filter(brigade__code=brigade).order_by("uscc")[: index + 1])
        if len(units) <= index:
            continue
        unit = units[index]
        record_credit_event(
            enterprise=unit,
            kind=kind,
            occurred_on=today - dt.timedelta(days=days),
            source=f"demo:{n}",
            note="演示数据",
        )
        touched.append(unit)
    return propose_grades(enterprises=touched)


# How many enterprises each brigade gets (200 in all): Liandu is the city, the rest are smaller.
ENTERPRISES_PER_BRIGADE = {
    "LD": 40,
    "LQ": 24,
    "QT": 26,
    "JY": 24,
    "SC": 18,
    "SY": 18,
    "YH": 14,
    "QY": 16,
    "JN": 20,
}

# Streets that sound like each county seat; the portal never checks them against a map.
STREETS = {
    "LD": ["中山街", "解放街", "继光街", "大猷街", "丽阳街", "括苍路", "紫金路", "花园路"],
    "LQ": ["贤良路", "中山东路", "新华街", "剑川大道", "西街", "龙渊路", "华楼街"],
    "QT": ["鹤城东路", "鹤城中路", "临江东路", "华侨路", "油竹大道", "江南大道"],
    "JY": ["五云路", "好溪路", "仙都路", "黄碧街", "工业区新碧路", "丽缙街"],
    "SC": ["妙高路", "北街", "新华路", "健康路", "云峰路", "凯恩路"],
    "SY": ["长松路", "紫荆路", "新华路", "独山路", "望松路", "西屏大道"],
    "YH": ["解放街", "环城北路", "中山路", "人民路", "浮云路"],
    "QY": ["濛洲街", "新大街", "庆元大道", "石龙街", "松源路"],
    "JN": ["人民中路", "复兴路", "环城西路", "鹤溪路", "红星路"],
}

# What each county is known for, as (name template, venue type, risk level, individual?).
# "{p}" is the registered-place prefix, "{b}" a trade name.
LOCAL_KINDS: dict[str, list[tuple[str, str, str, bool]]] = {
    "LD": [
        ("{p}{b}合成革有限公司", VenueType.FACTORY, RiskLevel.HIGH, False),
        ("{p}{b}商贸城", VenueType.MALL, RiskLevel.HIGH, False),
        ("{p}{b}半导体科技有限公司", VenueType.FACTORY, RiskLevel.MEDIUM, False),
    ],
    "LQ": [
        ("{p}{b}青瓷文化有限公司", VenueType.FACTORY, RiskLevel.MEDIUM, False),
        ("{p}{b}宝剑厂", VenueType.FACTORY, RiskLevel.MEDIUM, True),
        ("{p}{b}竹木制品有限公司", VenueType.FACTORY, RiskLevel.HIGH, False),
    ],
    "QT": [
        ("{p}{b}西餐厅", VenueType.RESTAURANT, RiskLevel.LOW, True),
        ("{p}{b}咖啡馆", VenueType.RESTAURANT, RiskLevel.LOW, True),
        ("{p}{b}石雕工艺品有限公司", VenueType.FACTORY, RiskLevel.MEDIUM, False),
        ("{p}{b}进口商品城", VenueType.MALL, RiskLevel.HIGH, False),
    ],
    "JY": [
        ("{p}{b}烧饼店", VenueType.RESTAURANT, RiskLevel.LOW, True),
        ("{p}{b}锯床有限公司", VenueType.FACTORY, RiskLevel.MEDIUM, False),
        ("{p}仙都{b}民宿", VenueType.HOTEL, RiskLevel.MEDIUM, True),
    ],
    "SC": [
        ("{p}{b}竹炭有限公司", VenueType.FACTORY, RiskLevel.HIGH, False),
        ("{p}{b}茶业有限公司", VenueType.FACTORY, RiskLevel.LOW, False),
        ("{p}{b}民宿", VenueType.HOTEL, RiskLevel.MEDIUM, True),
    ],
    "SY": [
        ("{p}{b}不锈钢管有限公司", VenueType.FACTORY, RiskLevel.MEDIUM, False),
        ("{p}{b}茶叶市场", VenueType.MARKET, RiskLevel.MEDIUM, False),
        ("{p}{b}古村民宿", VenueType.HOTEL, RiskLevel.MEDIUM, True),
    ],
    "YH": [
        ("{p}{b}木制玩具有限公司", VenueType.FACTORY, RiskLevel.HIGH, False),
        ("{p}梯田{b}民宿", VenueType.HOTEL, RiskLevel.MEDIUM, True),
    ],
    "QY": [
        ("{p}{b}香菇市场", VenueType.MARKET, RiskLevel.MEDIUM, False),
        ("{p}{b}竹木筷业有限公司", VenueType.FACTORY, RiskLevel.HIGH, False),
    ],
    "JN": [
        ("{p}{b}畲乡风情酒店", VenueType.HOTEL, RiskLevel.HIGH, False),
        ("{p}{b}惠明茶业有限公司", VenueType.FACTORY, RiskLevel.LOW, False),
    ],
}

COMMON_KINDS: list[tuple[str, str, str, bool]] = [
    ("{p}{b}大酒店", VenueType.HOTEL, RiskLevel.HIGH, False),
    ("{p}{b}宾馆", VenueType.HOTEL, RiskLevel.MEDIUM, False),
    ("{p}{b}农家乐", VenueType.RESTAURANT, RiskLevel.LOW, True),
    ("{p}{b}餐饮有限公司", VenueType.RESTAURANT, RiskLevel.MEDIUM, False),
    ("{p}{b}超市有限公司", VenueType.MALL, RiskLevel.MEDIUM, False),
    ("{p}{b}KTV", VenueType.ENTERTAINMENT, RiskLevel.HIGH, True),
    ("{p}{b}网吧", VenueType.ENTERTAINMENT, RiskLevel.HIGH, True),
    ("{p}{b}电影城有限公司", VenueType.ENTERTAINMENT, RiskLevel.HIGH, False),
    ("{p}{b}幼儿园", VenueType.SCHOOL, RiskLevel.MEDIUM, False),
    ("{p}{b}颐养院", VenueType.HOSPITAL, RiskLevel.HIGH, False),
    ("{p}{b}物流有限公司", VenueType.WAREHOUSE, RiskLevel.MEDIUM, False),
    ("{p}{b}大厦", VenueType.HIGHRISE, RiskLevel.HIGH, False),
    ("{p}{b}体育馆", VenueType.STADIUM, RiskLevel.MEDIUM, False),
    ("{p}{b}汽车客运站", VenueType.TERMINAL, RiskLevel.HIGH, False),
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TRADE_NAMES = _words(
    "瓯江 华侨 万象 金源 鼎盛 恒泰 永兴 鸿运 瑞丰 天宁 紫金 白云 南明 括苍 丽阳 青林 处州 "
    "好溪 富岭 新华 和美 嘉和 东方 宏达 远大 博雅 宝华 昌盛 星河 碧湖 仙渡 凤凰 龙腾 松涛 "
    "云峰 秀山 锦绣 聚源 福瑞 德信 润泽 明珠 春晖 佳木 稻香 竹韵 清泉 丰源 兴隆 山水"
)

SURNAMES = _words("王 李 张 刘 陈 杨 吴 叶 周 徐 潘 季 蓝 雷 钟 柳 项 毛 应 朱")
GIVEN = _words("建华 晓燕 国平 丽萍 志强 美玲 伟东 秀英 海军 春梅 立新 红霞 文斌 雅琴 永林 慧敏")

# A spread like a real registry: most are trustworthy, a few are not.
RATING_WEIGHTS = {"A": 30, "B": 45, "C": 18, "D": 7}


def demo_uscc(division_code: str, number: int, *, individual: bool) -> str:
    """A valid USCC for the ``number``-th demo enterprise of a county, the same on every run.

    Positions 1–2 say who registered it (91 enterprise, 92 individual business), 3–8 the
    county's division code, 9–17 an organisation code, 18 the GB 32100 check character.
    """
    body = ""
    n = number
    for _ in range(5):
        n, r = divmod(n, len(USCC_CHARSET))
        body = USCC_CHARSET[r] + body
    first17 = ("92" if individual else "91") + division_code + "MA2D" + body
    return first17 + uscc_check_char(first17)


def _mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "158", "159", "187", "135"]) + f"{rng.randrange(10**8):08d}"


def _seed_enterprises() -> int:
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    brigades = {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)}
    existing = {e.uscc: e for e in Enterprise.objects.all()}
    ratings = list(RATING_WEIGHTS)
    weights = list(RATING_WEIGHTS.values())
    created = 0
    for code, count in ENTERPRISES_PER_BRIGADE.items():
        brigade = brigades[code]
        # 丽水市莲都区…, 龙泉市…, 青田县…: how registered names start in each county.
        prefix = ("丽水市" if code == "LD" else "") + brigade.division_name
        kinds = LOCAL_KINDS[code] * 3 + COMMON_KINDS
        used_names: set[str] = set()
        for number in range(1, count + 1):
            template, venue_type, risk, individual = rng.choice(kinds)
            name = template.format(p=prefix, b=rng.choice(TRADE_NAMES))
            while name in used_names:
                name = template.format(p=prefix, b=rng.choice(TRADE_NAMES))
            used_names.add(name)
            street = rng.choice(STREETS[code])
            address = f"{prefix}{street}{rng.randrange(1, 400)}号"
            rating = rng.choices(ratings, weights)[0]
            contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = _mobile(rng)
            uscc = demo_uscc(brigade.division_code, number, individual=individual)
            assert is_valid_uscc(uscc), uscc
            fields = {
                "name": name,
                "address": address,
                "brigade": brigade,
                "venue_type": venue_type,
                "risk_level": risk,
                "contact_name": contact,
                "contact_phone": phone,
            }
            enterprise = existing.get(uscc)
            if enterprise is None:
                enterprise = Enterprise.objects.create(uscc=uscc, credit_rating=rating, **fields)
                CreditRatingChange.objects.create(
                    enterprise=enterprise,
                    from_rating="",
                    to_rating=rating,
                    reason="初始评定",
                    source=RatingSource.REGISTRATION,
                )
                created += 1
            else:
                # The rating is left alone: once rated, it changes only with a recorded reason.
                for field, value in fields.items():
                    setattr(enterprise, field, value)
                enterprise.save()
    return created

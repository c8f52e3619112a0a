"""Demo contacts of the units (made-up numbers and addresses, marked as demo data)."""

from __future__ import annotations

from typing import Any

from .models import OrgUnit

# code → (hotline, window address); every number is an example, not the unit's real one.
DEMO_CONTACTS = {
    "LS": ("0578-2119119", "丽水市莲都区丽阳街 1 号 丽水市民服务中心 3 楼消防窗口（演示数据）"),
    "LD": ("0578-2128119", "丽水市莲都区紫金路 8 号 莲都区行政服务中心 2 楼（演示数据）"),
    "LQ": ("0578-7128119", "龙泉市剑池街道 行政服务中心 1 楼（演示数据）"),
    "QT": ("0578-6828119", "青田县鹤城街道 行政服务中心 2 楼（演示数据）"),
    "JY": ("0578-3128119", "缙云县五云街道 行政服务中心 1 楼（演示数据）"),
    "SC": ("0578-8128119", "遂昌县妙高街道 行政服务中心 2 楼（演示数据）"),
    "SY": ("0578-8068119", "松阳县西屏街道 行政服务中心 1 楼（演示数据）"),
    "YH": ("0578-5128119", "云和县浮云街道 行政服务中心 2 楼（演示数据）"),
    "QY": ("0578-6128119", "庆元县松源街道 行政服务中心 1 楼（演示数据）"),
    "JN": ("0578-5088119", "景宁畲族自治县鹤溪街道 行政服务中心 2 楼（演示数据）"),
}
DEMO_HOURS = "工作日 8:30–12:00，14:30–17:30（法定节假日除外；演示数据）"


def seed(stdout: Any = None) -> int:
    """Fill the units' contacts where an administrator has not entered them."""
    count = 0
    for unit in OrgUnit.objects.filter(code__in=DEMO_CONTACTS):
        hotline, address = DEMO_CONTACTS[unit.code]
        changed = []
        for field, value in (
            ("hotline", hotline),
            ("window_address", address),
            ("opening_hours", DEMO_HOURS),
        ):
            if not getattr(unit, field):
                setattr(unit, field, value)
                changed.append(field)
        if changed:
            unit.save(update_fields=changed)
            count += 1
    return count

"""Units in survey files: header brackets, unit columns and profiles, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import Building, ConsumptionRecord, EnergyAudit
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
FT2_M2 = 0.3048 ** 2
BTU_J = 1055.05585262
GAS_KGCE_PER_M3 = 1.2143  # GB/T 2589 calorific factor of natural gas in the reference tables
KGCE_MJ = 29.3076


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def registry(session):
    report = run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv", kind="buildings")
    assert report.status == "loaded"
    return report


def _area(session, code):
    return session.scalar(select(Building.floor_area_m2).where(Building.code == code))


def test_area_units_from_header_and_profile(session):
    data = ("建筑编号,建筑名称,行政区划代码,建筑类别,建筑面积(ft²),空调面积(万m²)\n"
            "110105A041,英尺楼,110105,A,107639,0.8\n").encode()
    report = run(session=session, data=data, filename="ft.csv", kind="buildings")
    assert report.status == "loaded", report.to_dict()
    assert _area(session, "110105A041") == pytest.approx(107639 * FT2_M2)
    assert session.scalar(select(Building.ac_area_m2).where(Building.code == "110105A041")) == pytest.approx(8000)
    # the reported bug: a profile's unit on floor area was dropped
    data = b"Code,Name,District,Class,Area\n110105A042,Profiled,110105,A,53820\n"
    mapping = {"fields": {"building_code": "Code", "building_name": "Name", "district_code": "District",
                          "building_class": "Class", "floor_area_m2": {"column": "Area", "unit": "ft2"}}}
    report = run(session=session, data=data, filename="p.csv", kind="buildings", mapping=mapping)
    assert report.status == "loaded", report.to_dict()
    assert _area(session, "110105A042") == pytest.approx(53820 * FT2_M2)
    building = session.scalar(select(Building).where(Building.code == "110105A042"))
    assert not building.is_large_public  # 5,000 m², not 53,820


def test_wrong_dimension_on_a_required_field_rejects_the_file_with_its_column(session):
    data = "建筑编号,建筑名称,行政区划代码,建筑类别,建筑面积(kWh)\n110105A043,错单位,110105,A,1000\n".encode()
    report = run(session=session, data=data, filename="kwh.csv", kind="buildings")
    assert report.file_rejected and report.rows_accepted == 0
    f = report.findings[0]
    assert (f.code, f.row, f.column, f.value) == ("UNIT_DIMENSION", 1, "建筑面积(kWh)", "kWh")
    assert "kWh" in f.message_zh and "area" in f.message_en and "energy" in f.message_en


def test_unknown_unit_on_an_optional_field_is_a_warning_and_left_empty(session):
    data = ("建筑编号,建筑名称,行政区划代码,建筑类别,建筑面积,空调面积(zorkmid)\n"
            "110105A044,怪单位,110105,A,1000,800\n").encode()
    report = run(session=session, data=data, filename="z.csv", kind="buildings")
    assert report.status == "loaded" and report.warnings == 1
    f = next(f for f in report.findings if f.code == "UNIT_UNKNOWN")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 1, "空调面积(zorkmid)", "zorkmid")
    assert session.scalar(select(Building.ac_area_m2).where(Building.code == "110105A044")) is None


def test_energy_units_outside_the_reference_table(session, registry):
    data = ("建筑编号,年月,电(MWh),照明插座用电(kBtu),天然气(therm),热力(GWh)\n"
            "110105A001,2012-01,120,,1000,0.5\n"
            "110105A001,2012-02,,409456,,\n").encode()
    report = run(session=session, data=data, filename="imperial.csv", kind="consumption")
    assert report.status == "loaded" and report.rows_rejected == 0, [f.message_en for f in report.findings]
    rec = {(r.month, r.carrier_code, r.sub_item): r for r in session.scalars(select(ConsumptionRecord))}
    assert rec[(1, "electricity", "")].quantity == pytest.approx(120_000)
    assert rec[(2, "electricity", "A")].quantity == pytest.approx(409456 * 1000 * BTU_J / 3.6e6)
    gas = rec[(1, "natural_gas", "")]
    therm_mj = 100_000 * BTU_J / 1e6
    assert gas.quantity == pytest.approx(1000 * therm_mj / KGCE_MJ / GAS_KGCE_PER_M3, rel=1e-6)
    assert gas.kgce_calorific == pytest.approx(1000 * therm_mj / KGCE_MJ, rel=1e-6)
    assert (gas.quantity_reported, gas.unit_reported) == (1000, "therm")
    assert rec[(1, "district_heat", "")].quantity == pytest.approx(0.5e6 * 3.6)  # 0.5 GWh = 500,000 kWh = 1.8 million MJ


def test_profile_defines_a_unit_with_a_heating_value(session, registry):
    data = "楼号,月份,燃气(千卡当量)\n110105A001,2012-03,2000\n".encode()
    mapping = {"fields": {"building_code": "楼号", "period": "月份"},
               "wide": {"燃气(千卡当量)": {"carrier": "natural_gas", "unit": "gas_mcal"}},
               "units": {"gas_mcal": {"base": "MJ", "factor": 4.1868, "heating_value": "36.0 MJ/m3"}}}
    report = run(session=session, data=data, filename="mcal.csv", kind="consumption", mapping=mapping)
    assert report.status == "loaded", report.to_dict()
    gas = session.scalar(select(ConsumptionRecord))
    assert gas.quantity == pytest.approx(2000 * 4.1868 / 36.0)


def test_unknown_and_wrong_units_in_consumption_are_row_findings(session, registry):
    data = ("building_code,period,carrier,quantity,unit\n"
            "110105A001,2012-01,electricity,100,zorkmid\n"
            "110105A001,2012-02,electricity,100,m³\n"
            "110105A001,2012-03,electricity,100,MWh\n").encode()
    report = run(session=session, data=data, filename="u.csv", kind="consumption")
    found = {(f.row, f.code, f.column, f.severity) for f in report.findings}
    assert (2, "UNIT_UNKNOWN", "unit", "error") in found and (3, "UNIT_MISMATCH", "unit", "error") in found
    assert report.rows_rejected == 2 and report.rows_accepted == 1


def test_audit_money_and_energy_units(session, registry):
    data = ("建筑编号,审计年份,审计单位,用电量(MWh),改造措施,投资(元),预计节能量(kgce)\n"
            "110105A001,2010,某审计公司,1500,LED照明改造,500000,80000\n").encode()
    report = run(session=session, data=data, filename="a.csv", kind="audits")
    assert report.status == "loaded", report.to_dict()
    audit = session.scalar(select(EnergyAudit))
    assert audit.electricity_kwh == pytest.approx(1_500_000)
    from app.models import RetrofitMeasure
    measure = session.scalar(select(RetrofitMeasure))
    assert measure.investment_10k_cny == pytest.approx(50) and measure.expected_saving_tce == pytest.approx(80)

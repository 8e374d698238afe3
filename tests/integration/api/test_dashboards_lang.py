"""The dashboards' page names its language and starts with a skip link, in the language the user chose."""

from __future__ import annotations

import re

import pytest

from tests.integration.api.conftest import World


@pytest.mark.parametrize(("cookie", "html_lang"), [(None, "zh-CN"), ("zh", "zh-CN"), ("en", "en"), ("xx", "zh-CN")])
def test_index_page_has_html_lang_of_the_chosen_language(world: World, cookie, html_lang):
    world.client.post("/auth/login", data={"username": "official", "password": "correct horse battery"})
    if cookie is not None:
        world.client.cookies.set("jieneng_lang", cookie)
    page = world.client.get("/dashboards/", follow_redirects=False)
    assert page.status_code == 200
    opening = re.search(r"<html[^>]*>", page.text)
    assert opening is not None and opening.group(0) == f'<html lang="{html_lang}">'


@pytest.mark.parametrize(("lang", "text"), [("zh", "跳到主要内容"), ("en", "Skip to main content")])
def test_layout_starts_with_a_skip_link_to_main(world: World, lang, text):
    world.client.post("/auth/login", data={"username": "official", "password": "correct horse battery"})
    world.client.cookies.set("jieneng_lang", lang)
    layout = world.client.get("/dashboards/_dash-layout").json()
    children = layout["props"]["children"]
    skip = children[0]["props"]
    assert skip["href"] == "#main-content" and skip["children"] == text
    main = next(c for c in children if c.get("type") == "Main")
    assert main["props"]["id"] == "main-content" and main["props"]["tabIndex"] == "-1"

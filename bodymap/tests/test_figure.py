"""The {% body_figure %} tag draws every region on the right view(s), per side, and shows highlights."""

import re

from django.template import Context, Template

from bodymap.figure import VIEWS
from bodymap.regions import REGIONS, REGIONS_BY_CODE

SHAPE = re.compile(r'<path class="body-region(?P<cls>[^"]*)" data-region="(?P<code>[^"]+)" data-side="(?P<side>[^"]+)"')


def render(highlights=None, tag_args="highlights=h"):
    template = Template("{% load body_map %}{% body_figure 'm' " + tag_args + " %}")
    return template.render(Context({"h": highlights}))


def shapes_by_view(html):
    """{"front": [(code, side, classes)], "back": [...]} from the rendered figure."""
    views = {}
    for name, body in re.findall(r'aria-label="Body figure, (\w+) view"(.*?)</svg>', html, re.S):
        views[name] = [(m["code"], m["side"], m["cls"].split()) for m in SHAPE.finditer(body)]
    return views


def expected_sides(region):
    return {"left", "right"} if region.paired else {"center"}


def test_every_region_is_drawn_on_its_views_with_one_shape_per_side():
    views = shapes_by_view(render())
    assert set(views) == {"front", "back"}
    for name, shapes in views.items():
        drawn = {}
        for code, side, _ in shapes:
            drawn.setdefault(code, []).append(side)
        expected = {r.code for r in REGIONS if getattr(r, name)}
        assert set(drawn) == expected, name
        for code, sides in drawn.items():
            assert sorted(sides) == sorted(expected_sides(REGIONS_BY_CODE[code])), (name, code)


def test_shape_titles_name_the_region_and_side():
    html = render()
    assert "<title>Shoulder (trapezius), left</title>" in html
    assert "<title>Shoulder (trapezius), right</title>" in html
    assert "<title>Abdomen</title>" in html


def test_figure_markup_interactive_by_default():
    html = render()
    assert '<figure class="body-figure is-interactive" data-body-map="m" aria-hidden="true">' in html
    assert 'role="img" aria-label="Body figure, front view"' in html
    assert 'role="img" aria-label="Body figure, back view"' in html
    assert ">Front</div>" in html and ">Back</div>" in html
    assert "<script" not in html and "style=" not in html
    assert not re.search(r"\son\w+=", html)  # no inline event handlers


def test_read_only_figure_is_not_hidden_and_shows_caption():
    html = render(tag_args='interactive=False caption="Areas of pain"')
    assert "aria-hidden" not in html.split(">", 1)[0]
    assert "is-interactive" not in html
    assert "<figcaption" in html and "Areas of pain" in html


def test_no_highlights_means_nothing_highlighted():
    html = render(None)
    assert "is-highlighted" not in html
    assert "fill-opacity" not in html
    assert "is-highlighted" not in render({})


def test_both_highlights_left_and_right_shapes_on_every_view():
    views = shapes_by_view(render({("shoulder", "both"): 1}))
    for name in ("front", "back"):
        marked = {(code, side) for code, side, cls in views[name] if "is-highlighted" in cls}
        assert marked == {("shoulder", "left"), ("shoulder", "right")}, name


def test_one_side_and_center_highlights():
    views = shapes_by_view(render({("lower_back", "left"): 0.5, ("abdomen", "center"): 0.8, ("jaw", "right"): 0}))
    marked = {
        (name, code, side)
        for name, shapes in views.items()
        for code, side, classes in shapes
        if "is-highlighted" in classes
    }
    assert marked == {("back", "lower_back", "left"), ("front", "abdomen", "center")}


def test_highlight_opacity_follows_value_with_a_floor():
    html = render({("calf", "left"): 0.6, ("knee", "right"): 0.05, ("chest", "both"): 7})
    opacities = dict(
        ((m[0], m[1]), m[2])
        for m in re.findall(r'data-region="(\w+)" data-side="(\w+)" d="[^"]+"[^>]*?fill-opacity="([\d.]+)"', html)
    )
    assert opacities[("calf", "left")] == "0.6"
    assert opacities[("knee", "right")] == "0.25"
    assert opacities[("chest", "left")] == opacities[("chest", "right")] == "1"


def test_unknown_regions_and_bad_values_are_ignored():
    html = render({("elbow", "left"): 1, ("knee", "left"): "lots", "not-a-pair": 1})
    assert "is-highlighted" not in html


def test_client_sides_are_mirrored_between_views():
    """Client's left is on the viewer's right from the front and on the viewer's left from behind."""
    by_view = {view.name: {(s.region, s.side): s.d for s in view.shapes} for view in VIEWS}

    def first_x(d):
        return float(re.match(r"M([\d.]+)", d)[1])

    front, back = by_view["front"], by_view["back"]
    assert first_x(front[("shoulder", "left")]) > 100 > first_x(front[("shoulder", "right")])
    assert first_x(back[("shoulder", "left")]) < 100 < first_x(back[("shoulder", "right")])

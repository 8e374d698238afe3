/*
 * Charts in a narrow card (a phone): the figures are laid out for a desk, so when a chart is drawn narrower than
 * NARROW pixels its layout is adapted in the browser, leaving the figures themselves (dashboards/figures.py)
 * as they are:
 *  - a long title breaks into lines (at its " · " separators first) and sits at the top, in a slightly smaller font;
 *  - the legend starts at the left under the title, and the top margin grows to hold both, so the legend
 *    no longer covers the title;
 *  - a map zooms out until the whole of China fits the width beside its colour bar, in a shorter frame.
 * Adapting is idempotent (only values that would change are set), and runs again on every redraw, so a new
 * figure from the server is adapted too.
 */
(function () {
    "use strict";

    var NARROW = 600;
    // the width in pixels that the map's own zoom was chosen for
    var MAP_DESIGN_WIDTH = 620;
    var TITLE_LINE = 19;
    var busy = new WeakSet();

    function titleOf(layout) {
        var title = layout.title;
        if (!title) {
            return "";
        }
        return typeof title === "string" ? title : (title.text || "");
    }

    // Break a title into lines that fit ``width``: first at its " · " separators, then between words (or, in
    // Chinese, between characters). About 14 px per CJK character and 8 px per Latin one at 14 px.
    function wrapTitle(text, width) {
        if (text.indexOf("<br>") >= 0) {
            return text;
        }
        var cjk = /[\u3400-\u9fff]/.test(text);
        var max = Math.max(8, Math.floor((width - 24) / (cjk ? 14 : 8)));
        if (text.length <= max) {
            return text;
        }
        var lines = [];
        text.split(" · ").forEach(function (part) {
            if (part.length <= max) {
                lines.push(part);
                return;
            }
            if (cjk && part.indexOf(" ") < 0) {
                for (var i = 0; i < part.length; i += max) {
                    lines.push(part.slice(i, i + max));
                }
                return;
            }
            var line = "";
            part.split(" ").forEach(function (word) {
                if (line && (line + " " + word).length > max) {
                    lines.push(line);
                    line = word;
                } else {
                    line = line ? line + " " + word : word;
                }
            });
            if (line) {
                lines.push(line);
            }
        });
        return lines.join("<br>");
    }

    function get(obj, path) {
        return path.split(".").reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
    }

    // Only the keys whose value would change: adapting twice changes nothing, so no redraw loops.
    function changes(layout, wanted) {
        var out = {};
        Object.keys(wanted).forEach(function (key) {
            if (get(layout, key) !== wanted[key]) {
                out[key] = wanted[key];
            }
        });
        return out;
    }

    function adapt(gd) {
        var Plotly = window.Plotly;
        if (!Plotly || !gd.layout || !gd._fullLayout || busy.has(gd)) {
            return;
        }
        var width = gd.clientWidth;
        if (!width || width >= NARROW) {
            return;
        }
        var layout = gd.layout;
        if (gd.__narrowData !== gd.data) {
            // a new figure: remember the zoom its map was designed with
            gd.__narrowData = gd.data;
            gd.__designZoom = layout.map && typeof layout.map.zoom === "number" ? layout.map.zoom : null;
        }
        var wanted = {};
        var lines = 0;
        var text = titleOf(layout);
        if (text) {
            var wrapped = wrapTitle(text, width);
            lines = wrapped.split("<br>").length;
            wanted["title.text"] = wrapped;
            wanted["title.font.size"] = 14;
            wanted["title.yref"] = "container";
            wanted["title.y"] = 1;
            wanted["title.yanchor"] = "top";
            // Plotly anchors a title of several lines by its first line: push it down by the others
            wanted["title.pad.t"] = 8 + (lines - 1) * 17;
        }
        var legend = gd._fullLayout.showlegend;
        if (legend) {
            wanted["legend.x"] = 0;
            wanted["legend.xanchor"] = "left";
        }
        if (gd.__designZoom !== null) {
            // the colour bar keeps about 80 px on the right
            var zoom = gd.__designZoom + Math.log2(Math.min(1, (width - 80) / MAP_DESIGN_WIDTH));
            wanted["map.zoom"] = Math.round(zoom * 100) / 100;
            // the country is wider than tall: a shorter frame leaves less empty sea above and below it
            wanted.height = Math.min(layout.height || 460, Math.round(width * 0.8 + 90));
        }
        // the top margin holds the title's lines and, under them, the legend as drawn
        var top = lines ? 16 + lines * TITLE_LINE : 0;
        var box = legend && gd.querySelector(".legend");
        if (box) {
            top += box.getBBox().height + 12;
        }
        if (top > ((gd._fullLayout.margin && gd._fullLayout.margin.t) || 0)) {
            wanted["margin.t"] = Math.ceil(top);
        }
        var update = changes(layout, wanted);
        if (!Object.keys(update).length) {
            return;
        }
        busy.add(gd);
        Plotly.relayout(gd, update).finally(function () {
            busy.delete(gd);
        });
    }

    function hook(gd) {
        if (gd.__narrowHooked || typeof gd.on !== "function") {
            return;
        }
        gd.__narrowHooked = true;
        gd.on("plotly_afterplot", function () { adapt(gd); });
        adapt(gd);
    }

    function scan() {
        document.querySelectorAll(".js-plotly-plot").forEach(hook);
    }

    function start() {
        scan();
        var pending = false;
        new MutationObserver(function () {
            if (pending) {
                return;
            }
            pending = true;
            window.requestAnimationFrame(function () {
                pending = false;
                scan();
            });
        }).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());

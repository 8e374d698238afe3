/*
 * Accessibility fixes for markup that Dash 4.4 (dash-core-components) and Plotly render, applied to the live
 * page: a MutationObserver repairs every control as React adds it, and again when React resets an attribute.
 * These are local patches; each names the upstream source it works around.
 *
 * 1. dcc.Dropdown: the component puts a hidden, aria-hidden <input class="dash-dropdown-focus-target"> in the
 *    Tab order that forwards focus to the real trigger <button tabindex="-1">, and its onBlur puts the proxy
 *    back (axe: aria-hidden-focus). Here the trigger button takes the Tab stop itself, the proxy leaves the
 *    Tab order, and the button is named by the visible label of its filter as well as by its value.
 *    Upstream source: https://github.com/plotly/dash/blob/dev/components/dash-core-components/src/fragments/Dropdown.tsx
 * 2. dcc.RadioItems / dcc.Checklist: rendered as role="listbox" holding <label role="option"> around native
 *    radio/checkbox inputs (axe: nested-interactive, aria-input-field-name). The native inputs already carry
 *    their semantics, so the list becomes a named radiogroup / group and the labels plain labels.
 *    Upstream source: https://github.com/plotly/dash/blob/dev/components/dash-core-components/src/utils/optionRendering.tsx
 * 3. dcc.Upload: its <input type="file"> has no name (axe: label); it is named by the dropzone's visible text
 *    (and the field's label, when the dropzone sits in a .filter).
 * 4. Plotly's chart toolbar (modebar): its buttons are taken out of the Tab order, so the filters lead straight
 *    to the content instead of through a stop per button.
 * 5. The skip link moves focus to <main> itself: following its "#main-content" would change the URL's hash,
 *    which makes Dash's page router render the page again.
 */
(function () {
    "use strict";

    var counter = 0;

    function ensureId(el, prefix) {
        if (!el.id) {
            counter += 1;
            el.id = prefix + "-" + counter;
        }
        return el.id;
    }

    // The visible label of the .filter (or .dropzone field) that holds ``el``, if any.
    function fieldLabel(el) {
        var field = el.closest(".filter");
        if (!field) {
            return null;
        }
        var label = field.querySelector(":scope > .filter-label");
        return label && !label.htmlFor ? label : null;
    }

    function setIfDifferent(el, name, value) {
        if (el.getAttribute(name) !== value) {
            el.setAttribute(name, value);
        }
    }

    function fixDropdown(wrapper) {
        var proxy = wrapper.querySelector(":scope > .dash-dropdown-focus-target");
        var button = wrapper.querySelector(":scope > button.dash-dropdown");
        if (!button) {
            return;
        }
        if (proxy) {
            setIfDifferent(proxy, "tabindex", "-1");
        }
        if (!button.disabled) {
            setIfDifferent(button, "tabindex", "0");
        }
        var label = fieldLabel(wrapper);
        if (label) {
            var labelId = ensureId(label, "field-label");
            var current = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
            if (current[0] !== labelId) {
                current = current.filter(function (id) { return id !== labelId; });
                button.setAttribute("aria-labelledby", [labelId].concat(current).join(" "));
            }
        }
    }

    function fixOptionsList(list) {
        var radio = list.classList.contains("dash-radioitems") || !!list.querySelector("input[type=radio]");
        setIfDifferent(list, "role", radio ? "radiogroup" : "group");
        var label = fieldLabel(list);
        if (label) {
            setIfDifferent(list, "aria-labelledby", ensureId(label, "field-label"));
        }
        list.querySelectorAll(":scope > .dash-options-list-option").forEach(function (option) {
            if (option.hasAttribute("role")) {
                option.removeAttribute("role");
            }
            if (option.hasAttribute("aria-selected")) {
                option.removeAttribute("aria-selected");
            }
        });
    }

    function fixUpload(input) {
        var zone = input.parentElement;
        if (!zone) {
            return;
        }
        var ids = [];
        var label = fieldLabel(zone);
        if (label) {
            ids.push(ensureId(label, "field-label"));
        }
        var text = zone.querySelector(".dropzone-text") || zone.firstElementChild;
        if (text && text !== input) {
            ids.push(ensureId(text, "dropzone-text"));
        }
        if (ids.length) {
            setIfDifferent(input, "aria-labelledby", ids.join(" "));
        }
    }

    function fixModebar(button) {
        setIfDifferent(button, "tabindex", "-1");
    }

    function repair(root) {
        if (!root.querySelectorAll) {
            return;
        }
        root.querySelectorAll(".dash-dropdown-wrapper").forEach(fixDropdown);
        root.querySelectorAll(".dash-options-list").forEach(fixOptionsList);
        root.querySelectorAll(".dropzone input[type=file]").forEach(fixUpload);
        root.querySelectorAll(".modebar-btn").forEach(fixModebar);
    }

    var scheduled = false;

    function schedule() {
        if (scheduled) {
            return;
        }
        scheduled = true;
        // a microtask: the repair lands before the next key press or paint
        Promise.resolve().then(function () {
            scheduled = false;
            repair(document);
        });
    }

    function skipToMain(event) {
        var link = event.target.closest && event.target.closest(".skip-link");
        var main = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!main) {
            return;
        }
        event.preventDefault();
        main.focus();
        main.scrollIntoView();
    }

    function start() {
        document.addEventListener("click", skipToMain);
        repair(document);
        new MutationObserver(function (mutations) {
            for (var i = 0; i < mutations.length; i += 1) {
                var m = mutations[i];
                if (m.type === "childList" && m.addedNodes.length) {
                    schedule();
                    return;
                }
                if (m.type === "attributes") {
                    var el = m.target;
                    if (el.classList && (el.classList.contains("dash-dropdown-focus-target") ||
                            el.classList.contains("dash-dropdown") || el.classList.contains("dash-options-list-option") ||
                            el.classList.contains("modebar-btn"))) {
                        schedule();
                        return;
                    }
                }
            }
        }).observe(document.body, {
            childList: true, subtree: true, attributes: true,
            attributeFilter: ["tabindex", "role", "aria-selected", "aria-labelledby", "disabled"]
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());

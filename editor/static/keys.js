// The queue by keyboard, on top of pages that work without it: j/k move between items,
// a approves, r goes to the reason code, o opens the original, enter opens the item page,
// e edits (the item page's corrections, opened at its title), x selects, shift-a /
// shift-r act on the selection, ? shows the keys. Keys typed into a field are the field's.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("article.item"));
  var help = document.getElementById("keys");
  var corrections = document.getElementById("edit");

  function edit() {
    if (!corrections) return false;
    corrections.open = true;
    var title = corrections.querySelector("input[name=title]");
    if (title) title.focus();
    return true;
  }

  if (!items.length && !help && !corrections) return;
  var current = -1;

  function move(to) {
    if (!items.length) return;
    if (current >= 0) items[current].classList.remove("current");
    current = Math.max(0, Math.min(items.length - 1, to));
    var item = items[current];
    item.classList.add("current");
    item.setAttribute("tabindex", "-1");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function within(selector) {
    return current >= 0 ? items[current].querySelector(selector) : null;
  }

  function submit(form, action) {
    if (!form) return;
    if (action) {
      var button = form.querySelector('button[value="' + action + '"]');
      if (button) { form.requestSubmit(button); return; }
    }
    form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") { target.blur(); if (current >= 0) items[current].focus(); }
      return;
    }
    if (event.key === "Enter" && target.closest && target.closest("a, button")) return;
    var bulk = document.getElementById("bulk");
    var key = event.key;
    if (key === "j") move(current + 1);
    else if (key === "k") move(current - 1);
    else if (key === "a") submit(within("form[action$='/approve']"));
    else if (key === "r") { var reason = within("form.reject select[name=reason_code]"); if (reason) reason.focus(); }
    else if (key === "o") { var original = within(".original h2 a"); if (original) window.open(original.href, "_blank", "noopener"); }
    else if (key === "Enter") { var open = within("a.open"); if (open) window.location = open.href; }
    else if (key === "e") { var page = within("a.open"); if (page) window.location = page.href + (page.href.indexOf("?") < 0 ? "?" : "&") + "edit=1"; else if (edit()) event.preventDefault(); }
    else if (key === "x") { var box = within("input[name=ids]"); if (box) box.checked = !box.checked; }
    else if (key === "A") submit(bulk, "approve");
    else if (key === "R") { var why = bulk && bulk.querySelector("select[name=reason_code]"); if (why) why.focus(); }
    else if (key === "?") { if (help) { if (help.open) help.close(); else help.showModal(); } }
    else return;
    event.preventDefault();
  });
})();

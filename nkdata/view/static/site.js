// nkdata site. Every page reads without this script; it adds the claim cards of article pages
// and the search of the index page. It never builds HTML from text: it clones the cards the
// page already holds and writes search results with textContent.
(function () {
  "use strict";

  function claimCards() {
    var text = document.getElementById("text");
    var popup = document.getElementById("popup");
    if (!text || !popup) return;
    var current = null;
    var pinned = false;

    function pieces(claim) {
      return text.querySelectorAll('mark.claim[data-c="' + CSS.escape(claim) + '"]');
    }
    function markOf(event) {
      return event.target instanceof Element ? event.target.closest("mark.claim") : null;
    }
    function hide() {
      if (current === null) return;
      pieces(current).forEach(function (piece) { piece.classList.remove("active"); });
      popup.hidden = true;
      current = null;
      pinned = false;
    }
    function show(mark, pin) {
      var claim = mark.getAttribute("data-c");
      var card = document.getElementById("card-" + claim);
      if (!card) return;
      hide();
      current = claim;
      pinned = pin;
      pieces(claim).forEach(function (piece) { piece.classList.add("active"); });
      popup.replaceChildren.apply(popup, Array.from(card.childNodes, function (node) {
        return node.cloneNode(true);
      }));
      popup.hidden = false;
      place(mark);
    }
    function place(mark) {
      var box = mark.getClientRects()[0] || mark.getBoundingClientRect();
      var width = document.documentElement.clientWidth;
      var left = Math.max(8, Math.min(box.left, width - popup.offsetWidth - 8));
      popup.style.left = window.scrollX + left + "px";
      popup.style.top = window.scrollY + box.bottom + 8 + "px";
    }

    text.addEventListener("mouseover", function (event) {
      var mark = markOf(event);
      if (mark && !pinned) show(mark, false);
    });
    text.addEventListener("mouseout", function (event) {
      var mark = markOf(event);
      var to = event.relatedTarget;
      if (!mark || pinned || popup.contains(to) || (to instanceof Element && to.closest("mark.claim"))) return;
      hide();
    });
    popup.addEventListener("mouseleave", function () { if (!pinned) hide(); });
    text.addEventListener("focusin", function (event) {
      var mark = markOf(event);
      if (mark) show(mark, false);
    });
    text.addEventListener("click", function (event) {
      var mark = markOf(event);
      if (!mark) return;
      show(mark, true);
      event.stopPropagation();
    });
    document.addEventListener("click", function (event) {
      if (pinned && !popup.contains(event.target)) hide();
    });
    document.addEventListener("keydown", function (event) {
      var mark = document.activeElement;
      if (event.key === "Escape") {
        hide();
      } else if (event.key === "Enter" && mark instanceof Element && mark.matches("mark.claim")) {
        location.hash = "card-" + mark.getAttribute("data-c");  // the card's links, by keyboard
      }
    });
  }

  function search() {
    var form = document.getElementById("search");
    if (!form) return;
    var box = document.getElementById("search-box");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var entries = null;
    var requested = false;
    var shown = 50;
    form.hidden = false;

    function load() {
      if (requested) return;
      requested = true;
      status.textContent = "Loading the index…";
      var script = document.createElement("script");
      script.src = form.getAttribute("data-index");
      script.onload = function () {
        entries = (window.NKDATA_SEARCH || []).map(function (entry) {
          return [entry[0], entry[1], entry[2], entry[1].toLowerCase()];
        });
        run();
      };
      script.onerror = function () { status.textContent = "The search index could not be loaded."; };
      document.head.appendChild(script);
    }
    function run() {
      if (entries === null) return;
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.replaceChildren();
      if (!words.length) { status.textContent = ""; return; }
      var found = 0;
      entries.forEach(function (entry) {
        if (!words.every(function (word) { return entry[3].indexOf(word) >= 0; })) return;
        found += 1;
        if (found > shown) return;
        var item = document.createElement("li");
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = entry[0] + " ";
        var link = document.createElement("a");
        link.href = entry[2];
        link.textContent = entry[1];
        item.append(kind, link);
        list.append(item);
      });
      status.textContent = found + " result(s)" + (found > shown ? ", the first " + shown + " shown" : "");
    }
    box.addEventListener("focus", load);
    box.addEventListener("input", function () { load(); run(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  function chartLinks() {
    // matplotlib opens a mark's link in a new tab; its row is on this page.
    document.querySelectorAll(".chart-svg a[target]").forEach(function (link) {
      link.removeAttribute("target");
    });
  }

  claimCards();
  search();
  chartLinks();
})();

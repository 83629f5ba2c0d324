// Anki's keys on the review page. The page works without this script (buttons and a
// <details> to show the answer); this only maps keys to those same buttons.
(function () {
  "use strict";
  var card = document.querySelector("[data-card]");
  if (!card) return;
  var reveal = document.getElementById("reveal");
  var choice = document.getElementById("choice");
  var verdict = document.getElementById("verdict");
  var right = card.getAttribute("data-right");
  var isMcq = card.getAttribute("data-kind") === "mcq";
  var suggested = null;

  function rate(n) {
    var button = document.querySelector('#answer-form button[name="rating"][value="' + n + '"]');
    if (button) button.click();
  }

  function choose(letter) {
    var buttons = card.querySelectorAll(".option");
    var found = false;
    buttons.forEach(function (b) {
      var l = b.getAttribute("data-letter");
      if (l === letter) found = true;
      b.classList.toggle("right", l === right);
      b.classList.toggle("wrong", l === letter && l !== right);
      b.disabled = true;
    });
    if (!found) return;
    choice.value = letter;
    suggested = letter === right ? 3 : 1;
    verdict.textContent = letter === right ? "Correct." : "Not quite: the answer is " + right + ".";
    verdict.hidden = false;
    var button = document.querySelector('#answer-form button[value="' + suggested + '"]');
    if (button) button.classList.add("suggested");
    reveal.open = true;
  }

  card.querySelectorAll(".option").forEach(function (b) {
    b.addEventListener("click", function () { choose(b.getAttribute("data-letter")); });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    var k = e.key;
    if (k === " " || k === "Enter") {
      e.preventDefault();
      if (!reveal.open) reveal.open = true;
      else if (suggested !== null) rate(suggested);
      return;
    }
    if (/^[1-4]$/.test(k) && reveal.open) { e.preventDefault(); rate(k); return; }
    if (isMcq && /^[a-dA-D]$/.test(k) && choice.value === "") {
      e.preventDefault(); choose(k.toUpperCase()); return;
    }
    if (k === "e") { e.preventDefault(); document.getElementById("edit-link").click(); return; }
    var form = { u: "undo-form", "@": "suspend-form", "-": "bury-form" }[k];
    if (form) { e.preventDefault(); document.getElementById(form).requestSubmit(); }
  });
  card.setAttribute("data-keys", "ready");  // for tests: the keys work from here on
}());

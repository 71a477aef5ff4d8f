// Each summary sentence's evidence highlighted in the de-identified note on hover, focus or click.
// Offsets (data-evidence="start-end ...") count characters of the note's text, which the <pre>
// holds across its text nodes (PHI marks split it), so they are mapped node by node to a Range.
(function () {
  const note = document.getElementById("deidentified-text");
  const sentences = document.querySelectorAll(".summary-sentence[data-evidence]");
  if (!note || !sentences.length) return;

  function rangeAt(start, end) {
    const range = document.createRange();
    const walker = document.createTreeWalker(note, NodeFilter.SHOW_TEXT);
    let offset = 0, node, started = false;
    while ((node = walker.nextNode())) {
      const length = node.data.length;
      if (!started && start <= offset + length) { range.setStart(node, start - offset); started = true; }
      if (started && end <= offset + length) { range.setEnd(node, end - offset); return range; }
      offset += length;
    }
    return null;
  }

  function evidenceRanges(sentence) {
    return sentence.dataset.evidence.split(" ").filter(Boolean).map((pair) => {
      const [start, end] = pair.split("-").map(Number);
      return rangeAt(start, end);
    }).filter(Boolean);
  }

  function show(sentence, scroll) {
    const ranges = evidenceRanges(sentence);
    sentences.forEach((other) => other.classList.toggle("active", other === sentence));
    if (window.CSS && CSS.highlights) CSS.highlights.set("evidence", new Highlight(...ranges));
    note.dataset.evidence = sentence.dataset.evidence;  // what is highlighted, for tests and assistive tools
    if (scroll && ranges.length) ranges[0].startContainer.parentElement.scrollIntoView({ block: "center" });
  }

  sentences.forEach((sentence) => {
    sentence.addEventListener("mouseenter", () => show(sentence, false));
    sentence.addEventListener("focus", () => show(sentence, false));
    sentence.addEventListener("click", () => show(sentence, true));
  });
})();

// The identifier report: a selection in the de-identified text becomes its character offsets (never its text).
(function () {
  const text = document.getElementById("deidentified-text");
  const form = document.getElementById("identifier-report");
  if (!text || !form) return;
  const button = form.querySelector("#report-identifier");
  function offset(node, within) {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, within);
    return range.toString().length;
  }
  document.addEventListener("selectionchange", function () {
    const selection = window.getSelection();
    const inside = selection.rangeCount && !selection.isCollapsed &&
      text.contains(selection.anchorNode) && text.contains(selection.focusNode);
    if (!inside) return;  // clicking the button clears nothing already captured
    const range = selection.getRangeAt(0);
    form.elements.span_start.value = offset(range.startContainer, range.startOffset);
    form.elements.span_end.value = offset(range.endContainer, range.endOffset);
    button.disabled = false;
  });
})();

// A log list (timeline, echo log) that reads like a terminal: oldest first,
// the newest at the bottom and in view, whole rows only.
//
// - The list grows with its rows up to its CSS max-height; past that it
//   scrolls, with a visible scrollbar (style.css), and its height is trimmed
//   to the newest rows that fit whole, so no row shows cut mid-line when it
//   sits at the newest.
// - It follows the newest row unless the user scrolled up to read; scrolling
//   back to the bottom follows again.

const AT_END_PX = 4; // "at the bottom", allowing for sub-pixel scroll offsets

/** Makes list follow its newest row; returns a function that re-pins it (after a reset). */
export function follow(list) {
  let pinned = true;
  const update = () => {
    fit(list);
    if (pinned && list.scrollHeight > list.clientHeight) list.scrollTop = list.scrollHeight;
  };
  // Our own scrollTop write lands at the bottom, so it keeps pinned true;
  // only a scroll away from the bottom (the user's) unpins.
  list.addEventListener("scroll", () => {
    pinned = list.scrollHeight - list.scrollTop - list.clientHeight <= AT_END_PX;
    list.dataset.pinned = String(pinned);
  });
  // Rows added or removed, a decision filled in later: all change heights.
  new MutationObserver(update).observe(list, { childList: true, subtree: true, characterData: true });
  addEventListener("resize", update);
  list.dataset.pinned = "true";
  return () => {
    pinned = true;
    list.dataset.pinned = "true";
    update();
  };
}

/**
 * Sizes list to the newest rows that fit whole within its max-height, or
 * lets it grow (height auto) while every row fits.
 */
function fit(list) {
  const cs = getComputedStyle(list);
  const max = parseFloat(cs.maxHeight);
  if (!Number.isFinite(max)) return;
  const chrome = parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth) + parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
  const rows = list.children;
  let total = chrome;
  for (const li of rows) total += li.getBoundingClientRect().height;
  if (total <= max + 0.5) {
    list.style.height = "";
    return;
  }
  let h = chrome;
  for (let i = rows.length - 1; i >= 0; i--) {
    const rh = rows[i].getBoundingClientRect().height;
    if (h + rh > max + 0.5) break;
    h += rh;
  }
  list.style.height = `${h > chrome ? h : max}px`; // one row taller than the box: show what fits
}

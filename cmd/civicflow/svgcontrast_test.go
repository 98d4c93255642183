package main

import (
	"context"

	"github.com/chromedp/chromedp"
)

// svgContrastJS finds the text inside the page's SVG charts whose contrast with what it is drawn
// on is below 4.5:1 (WCAG 2.1 AA, 1.4.3; axe-core does not judge SVG text). The background of a
// text at its centre and its four corners is the last filled rect of its SVG under that point
// (rects paint in document order), else the first opaque background of the SVG's HTML ancestors,
// else white; the lowest of the five ratios counts. Each finding names the text, its colour, the
// background and the ratio.
const svgContrastJS = `(() => {
  const parse = c => { const m = /rgba?\(([^)]+)\)/.exec(c || ""); if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const pageBg = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const out = [];
  for (const t of document.querySelectorAll("svg text")) {
    const svg = t.ownerSVGElement, tb = t.getBoundingClientRect();
    if (tb.width === 0 || tb.height === 0) continue;
    const fg = parse(getComputedStyle(t).fill);
    if (!fg) { out.push(t.textContent.trim() + ": no fill colour"); continue; }
    const points = [[tb.left + tb.width / 2, tb.top + tb.height / 2], [tb.left + 1, tb.top + 1], [tb.right - 1, tb.top + 1],
      [tb.left + 1, tb.bottom - 1], [tb.right - 1, tb.bottom - 1]];
    let worst = Infinity, worstBg = null;
    for (const [x, y] of points) {
      let bg = null;
      for (const r of svg.querySelectorAll("rect")) {
        const rb = r.getBoundingClientRect(), f = parse(getComputedStyle(r).fill);
        if (x >= rb.left && x <= rb.right && y >= rb.top && y <= rb.bottom && f && f.a > 0) bg = f;
      }
      bg = bg || pageBg(svg);
      const q = ratio(fg, bg);
      if (q < worst) { worst = q; worstBg = bg; }
    }
    if (worst < 4.5) out.push(t.textContent.trim() + ": " + getComputedStyle(t).fill + " on rgb(" + worstBg.r + ", " + worstBg.g + ", " + worstBg.b + ") = " + worst.toFixed(2) + ":1");
  }
  return out;
})()`

// svgContrast returns the SVG texts of the page in ctx with a contrast below 4.5:1.
func svgContrast(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](svgContrastJS))
}

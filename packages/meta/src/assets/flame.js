// @support/meta flame graph: draws a V8 .cpuprofile on a canvas, root on top,
// width proportional to time. Hover for details, click (or Enter on the
// focused canvas) to zoom into a frame, Escape to zoom out.
(() => {
  const ROW = 18;

  // Call tree with total samples per node; (idle) is left out so the graph shows work.
  function build(profile) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    if (Array.isArray(profile.samples) && profile.samples.length > 0) {
      for (const id of profile.samples) self.set(id, (self.get(id) || 0) + 1);
    } else {
      for (const n of profile.nodes) self.set(n.id, n.hitCount || 0);
    }
    const samples = profile.samples
      ? profile.samples.length
      : [...self.values()].reduce((a, b) => a + b, 0);
    const usPerSample = samples > 0 ? (profile.endTime - profile.startTime) / samples : 0;
    const root = profile.nodes[0];
    function walk(node, depth) {
      const f = node.callFrame;
      const out = {
        name: f.functionName || '(anonymous)',
        url: f.url,
        line: f.lineNumber + 1,
        self: self.get(node.id) || 0,
        total: 0,
        depth,
        children: [],
      };
      for (const cid of node.children || []) {
        const child = byId.get(cid);
        if (!child || child.callFrame.functionName === '(idle)') continue;
        const c = walk(child, depth + 1);
        if (c.total > 0) out.children.push(c);
      }
      out.total = out.self + out.children.reduce((a, c) => a + c.total, 0);
      out.children.sort((a, b) => b.total - a.total);
      return out;
    }
    const tree = walk(root, 0);
    tree.name = 'all';
    return { tree, usPerSample };
  }

  function color(node) {
    if (!node.url || node.url.startsWith('node:'))
      return node.name.startsWith('(') ? '#b8bfcc' : '#9cb4d8';
    if (node.url.includes('/node_modules/')) return '#e7b36a';
    let h = 0;
    for (let i = 0; i < node.name.length; i++) h = (h * 31 + node.name.charCodeAt(i)) | 0;
    return `hsl(${10 + (Math.abs(h) % 40)}, 78%, ${58 + (Math.abs(h >> 8) % 12)}%)`;
  }

  function depthOf(node) {
    let d = node.depth;
    for (const c of node.children) d = Math.max(d, depthOf(c));
    return d;
  }

  function start(canvas, profile) {
    const { tree, usPerSample } = build(profile);
    const tip = document.getElementById('flame-tip');
    let focus = tree;
    let boxes = [];
    const maxDepth = Math.min(depthOf(tree), 120);

    function draw() {
      const dpr = window.devicePixelRatio || 1;
      const width = canvas.clientWidth;
      const height = (maxDepth + 1) * ROW;
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.height = `${height}px`;
      const ctx = canvas.getContext('2d');
      ctx.scale(dpr, dpr);
      ctx.font = '11px ui-monospace, Menlo, monospace';
      ctx.textBaseline = 'middle';
      boxes = [];
      // Ancestors of the focus span the whole width; the focus's subtree is scaled to it.
      const path = [];
      (function find(n, trail) {
        if (n === focus) {
          path.push(...trail, n);
          return true;
        }
        return n.children.some((c) => find(c, [...trail, n]));
      })(tree, []);
      for (const a of path.slice(0, -1)) box(ctx, a, 0, width, true);
      const scale = focus.total > 0 ? width / focus.total : 0;
      (function lay(n, x) {
        const w = n.total * scale;
        if (w < 0.5 || n.depth > maxDepth) return;
        box(ctx, n, x, w, false);
        let cx = x + n.self * scale;
        for (const c of n.children) {
          lay(c, cx);
          cx += c.total * scale;
        }
      })(focus, 0);
    }

    function box(ctx, n, x, w, dim) {
      const y = n.depth * ROW;
      ctx.fillStyle = dim ? '#dfe3ea' : color(n);
      ctx.fillRect(x, y, Math.max(w - 1, 0.5), ROW - 1);
      if (w > 40) {
        ctx.fillStyle = '#1d2330';
        const label = n.name;
        const maxChars = Math.floor((w - 6) / 6.6);
        ctx.fillText(
          label.length > maxChars ? `${label.slice(0, Math.max(1, maxChars - 1))}…` : label,
          x + 3,
          y + ROW / 2,
        );
      }
      boxes.push({ x, y, w, n });
    }

    function hit(ev) {
      const r = canvas.getBoundingClientRect();
      const x = ev.clientX - r.left;
      const y = ev.clientY - r.top;
      for (let i = boxes.length - 1; i >= 0; i--) {
        const b = boxes[i];
        if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + ROW) return b.n;
      }
      return undefined;
    }

    canvas.addEventListener('mousemove', (ev) => {
      const n = hit(ev);
      if (!n || !tip) {
        if (tip) tip.hidden = true;
        return;
      }
      const ms = (s) => `${((s * usPerSample) / 1000).toFixed(1)} ms`;
      const share = tree.total > 0 ? ((100 * n.total) / tree.total).toFixed(1) : '0';
      tip.textContent = `${n.name}\n${n.url ? `${n.url}:${n.line}\n` : ''}total ${ms(n.total)} (${share} %) · self ${ms(n.self)}`;
      tip.hidden = false;
      const r = canvas.parentElement.getBoundingClientRect();
      tip.style.left = `${Math.min(ev.clientX - r.left + 12, r.width - 300)}px`;
      tip.style.top = `${ev.clientY - r.top + 14}px`;
    });
    canvas.addEventListener('mouseleave', () => {
      if (tip) tip.hidden = true;
    });
    canvas.addEventListener('click', (ev) => {
      const n = hit(ev);
      if (n) {
        focus = n;
        draw();
      }
    });
    canvas.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        focus = tree;
        draw();
      } else if (ev.key === 'Enter' && focus.children[0]) {
        focus = focus.children[0];
        draw();
      }
    });
    addEventListener('resize', draw);
    draw();
    canvas.dataset.drawn = String(boxes.length);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const canvas = document.getElementById('flame');
    if (!canvas) return;
    fetch(canvas.dataset.src, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((profile) => start(canvas, profile))
      .catch((e) => {
        canvas.replaceWith(
          Object.assign(document.createElement('p'), {
            className: 'error',
            textContent: `flame graph: ${e.message}`,
          }),
        );
      });
  });
})();

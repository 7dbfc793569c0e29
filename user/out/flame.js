// pybpftop's flame graph: draws the call tree that user/out/html.c embeds in
// the page (see the format there) on a <canvas>. Plain ES2020 and nothing
// fetched: the page must work offline, from one file.
'use strict';
(() => {
	const ROW = 17;			// px per frame row
	const MIN_WIDTH = 1;		// px: narrower frames (and their children) are not drawn
	const HIGHLIGHT = 'hsl(300, 85%, 62%)';

	const timings = {};
	let t = performance.now();
	const data = JSON.parse(document.getElementById('flame-data').textContent);
	const { meta, strings } = data;
	// What the counts are: samples, or bytes (alloc's flame graphs).
	const UNIT = meta.unit || 'samples';
	timings.parse = performance.now() - t;

	// Labels: what a frame reads as, and which colour family it belongs to.
	t = performance.now();
	const nlabels = data.labels.length / 3;
	const labelName = new Array(nlabels), labelFile = new Array(nlabels);
	const labelLine = new Int32Array(nlabels), labelText = new Array(nlabels);
	const labelKind = new Uint8Array(nlabels);
	const KIND = { user: 0, stdlib: 1, packages: 2, offcpu: 3, other: 4 };
	for (let l = 0; l < nlabels; l++) {
		const [name, file, line] = data.labels.slice(3 * l, 3 * l + 3);
		labelName[l] = strings[name];
		labelFile[l] = file < 0 ? '' : strings[file];
		labelLine[l] = line;
		// As in folded output: `qualname (file:line)`.
		labelText[l] = file < 0 ? labelName[l] : `${labelName[l]} (${labelFile[l]}:${line})`;
		labelKind[l] = file < 0 ? KIND.other : fileKind(labelFile[l]);
	}

	function fileKind(file) {
		if (/\/(site|dist)-packages\//.test(file))
			return KIND.packages;
		// CPython's own library: .../lib/python3.X/ (3.13t too), and frozen modules.
		if (/^<frozen /.test(file) || /\/lib\/python\d+(\.\d+)?t?\//.test(file))
			return KIND.stdlib;
		return KIND.user;
	}

	// The tree, preorder triples (label, samples, children), into typed arrays;
	// a node's subtree is [i, end[i]), its first child i + 1, its next sibling end[i].
	const n = data.tree.length / 3;
	const label = new Int32Array(n), samples = new Float64Array(n);
	const end = new Int32Array(n), parent = new Int32Array(n), depth = new Int32Array(n);
	const kind = new Uint8Array(n);
	{
		const tree = data.tree, open = [], left = [];
		let maxDepth = 0;
		for (let i = 0; i < n; i++) {
			label[i] = tree[3 * i];
			samples[i] = tree[3 * i + 1];
			const d = open.length;
			depth[i] = d;
			maxDepth = Math.max(maxDepth, d);
			parent[i] = d ? open[d - 1] : -1;
			if (d)
				left[d - 1]--;
			// Depth 1 is a thread; everything under a thread's [off-cpu] is waiting.
			if (d === 1 || i === 0)
				kind[i] = KIND.other;
			else if (kind[parent[i]] === KIND.offcpu ||
				 (d === 2 && labelFile[label[i]] === '' && labelName[label[i]] === '[off-cpu]'))
				kind[i] = KIND.offcpu;
			else
				kind[i] = labelKind[label[i]];
			if (tree[3 * i + 2] > 0) {
				open.push(i);
				left.push(tree[3 * i + 2]);
			} else {
				end[i] = i + 1;
				while (open.length && left[open.length - 1] === 0) {
					end[open.pop()] = i + 1;
					left.pop();
				}
			}
		}
		while (open.length)	// only for a malformed tree
			end[open.pop()] = n;
	}
	timings.build = performance.now() - t;

	const text = i => (label[i] < 0 ? 'all' : labelText[label[i]]);
	const fmt = v => v.toLocaleString('en-US');
	const pct = (a, b) => (b ? (100 * a / b).toFixed(2) : '0.00') + '%';

	// Colours: a family per kind, a shade per name so neighbours differ.
	const PALETTE = [
		[10, 35, '85%', 58, 10],	// user code: red to orange
		[80, 40, '50%', 55, 10],	// standard library: green
		[175, 35, '55%', 55, 10],	// site-packages: teal to blue
		[215, 30, '22%', 68, 10],	// off-CPU: grey blue
		[0, 0, '0%', 76, 8],		// threads, markers, the root
	];
	const LEGEND = ['user code', 'standard library', 'site-/dist-packages', 'off-CPU', 'thread, marker'];
	const colourCache = new Map();
	function colour(i) {
		const key = kind[i] * (nlabels + 1) + label[i] + 1;
		let c = colourCache.get(key);
		if (!c) {
			let h = 2166136261;
			for (const ch of text(i))
				h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
			const v = (h % 1000) / 1000, w = ((h >>> 10) % 1000) / 1000;
			const [hue, hues, sat, light, lights] = PALETTE[kind[i]];
			c = `hsl(${hue + hues * v}, ${sat}, ${light + lights * w}%)`;
			colourCache.set(key, c);
		}
		return c;
	}

	const $ = id => document.getElementById(id);
	// In XHTML namespace: a page saved as .svg is an XML document, where
	// createElement would make elements without style.
	const el = tag => document.createElementNS('http://www.w3.org/1999/xhtml', tag);
	const chart = $('chart'), spacer = $('spacer'), canvas = $('flame'), ctx = canvas.getContext('2d');
	const tooltip = $('tooltip');
	const search = $('search'), matchedEl = $('matched');

	let focus = 0, inverted = false;
	let matchedLabels = null;	// Uint8Array over labels while a search is on
	let matchedText = '';

	// The page's title: what was profiled, how, how much.
	{
		const when = meta.start_unix_ms ? new Date(meta.start_unix_ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
		// Samples at a rate, or (alloc) bytes of memory.
		const how = `Python ${meta.python || '?'}, ${meta.duration.toFixed(1)} s` +
			(UNIT === 'samples' ? ` at ${meta.hz} Hz` : '') + `, ${fmt(meta.samples)} ${UNIT}` +
			(meta.idle ? ` (${pct(meta.off_cpu, meta.samples)} off-CPU)` : '');
		$('title').textContent = meta.command || 'pybpftop flame graph';
		$('subtitle').textContent = `${how}, ${fmt(meta.stacks)} unique stacks` + (when ? `; started ${when}` : '');
		document.title = `pybpftop: ${meta.command} - ${how}`;
		$('legend').replaceChildren(...LEGEND.map((name, k) => {
			const span = el('span'), box = el('i');
			const [hue, hues, sat, light] = PALETTE[k];
			box.style.background = `hsl(${hue + hues / 2}, ${sat}, ${light + 5}%)`;
			span.append(box, name);
			return span;
		}));
	}

	// Layout, on zoom and resize: only frames at least MIN_WIDTH wide, found
	// from the focus down; rows[d] holds the frames of depth d in x order.
	let rows = [], lastDepth = 0, width = 0;
	function layout() {
		t = performance.now();
		width = chart.clientWidth;
		const scale = samples[focus] ? width / samples[focus] : 0;
		rows = [];
		const add = (i, x, w) => {
			const d = depth[i];
			(rows[d] ||= []).push({ i, x, w, d });
		};
		for (let a = focus; a >= 0; a = parent[a])
			add(a, 0, width);
		// Children are added as their parent comes off the stack, and pushed
		// right to left, so that parents come off in preorder and each row
		// fills from left to right.
		const stack = scale ? [focus, 0] : [], kids = [];
		while (stack.length) {
			const x = stack.pop(), i = stack.pop();
			let cx = x;
			kids.length = 0;
			for (let c = i + 1; c < end[i]; c = end[c]) {
				const w = samples[c] * scale;
				if (w >= MIN_WIDTH) {
					add(c, cx, w);
					kids.push(c, cx);
				}
				cx += w;
			}
			for (let k = kids.length - 2; k >= 0; k -= 2)
				stack.push(kids[k], kids[k + 1]);
		}
		lastDepth = rows.length - 1;
		spacer.style.height = rows.length * ROW + 'px';
		timings.layout = performance.now() - t;
	}

	// Row d's top edge in the whole graph: the root at the bottom (flame) or
	// at the top (icicle). The canvas shows the part scrolled into view.
	const rowY = d => (inverted ? d : lastDepth - d) * ROW;

	// Paints the rows in view, on scroll too: the canvas is only as tall as
	// the chart's window, so a 5,000-frame stack costs no more to draw.
	function paint() {
		t = performance.now();
		const dpr = window.devicePixelRatio || 1, top = chart.scrollTop;
		const height = Math.min((lastDepth + 1) * ROW, chart.clientHeight);
		canvas.style.height = height + 'px';
		canvas.style.marginBottom = -height + 'px';	// the spacer alone sets the scroll height
		canvas.width = Math.round(width * dpr);
		canvas.height = Math.round(height * dpr);
		ctx.setTransform(dpr, 0, 0, dpr, 0, -top * dpr);
		ctx.font = '12px monospace';
		ctx.textBaseline = 'middle';
		const charWidth = ctx.measureText('M').width;
		for (let d = 0; d <= lastDepth; d++) {
			const y = rowY(d);
			if (y + ROW <= top || y >= top + height)
				continue;
			// The focus's ancestors are dimmed: they are wider than drawn.
			ctx.globalAlpha = d < depth[focus] ? 0.55 : 1;
			for (const r of rows[d]) {
				const matched = matchedLabels && label[r.i] >= 0 && matchedLabels[label[r.i]];
				ctx.fillStyle = matched ? HIGHLIGHT : colour(r.i);
				ctx.fillRect(r.x, y, Math.max(r.w - 0.5, 0.5), ROW - 1);
				const chars = Math.floor((r.w - 6) / charWidth);
				if (chars >= 3) {
					const s = text(r.i);
					ctx.fillStyle = '#000';
					ctx.fillText(s.length <= chars ? s : s.slice(0, chars - 2) + '..', r.x + 3, y + ROW / 2);
				}
			}
		}
		ctx.globalAlpha = 1;
		timings.draw = performance.now() - t;
	}

	let pending = 0, relayout = false;
	function redraw(again) {
		relayout ||= again;
		if (!pending) {
			pending = requestAnimationFrame(() => {
				pending = 0;
				if (relayout)
					layout();
				relayout = false;
				paint();
			});
		}
	}

	// Scrolls the focus into view, with a few of its callers.
	function reveal() {
		const y = rowY(depth[focus]);
		chart.scrollTop = inverted ? y - 3 * ROW : y + 4 * ROW - chart.clientHeight;
	}

	// The drawn frame under a point of the canvas, or null.
	function hit(x, y) {
		const row = Math.floor((y + chart.scrollTop) / ROW);
		const list = rows[inverted ? row : lastDepth - row];
		if (!list || y < 0)
			return null;
		let lo = 0, hi = list.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1, r = list[mid];
			if (x < r.x)
				hi = mid - 1;
			else if (x >= r.x + r.w)
				lo = mid + 1;
			else
				return r;
		}
		return null;
	}

	function zoom(i) {
		focus = i;
		$('reset').disabled = focus === 0;
		$('zoomed').textContent = focus ? `Zoomed into ${text(focus)}: ${fmt(samples[focus])} ${UNIT}, ` +
			`${pct(samples[focus], samples[0])} of all. Esc or Reset zoom: back to all.` : '';
		updateMatched();
		layout();
		reveal();
		redraw();
	}

	// Samples under matching frames, each sample once: a match's subtree is
	// skipped, so a recursive function or a match inside a match adds nothing.
	function matchedSamples(root) {
		for (let a = root; a > 0; a = parent[a])
			if (matchedLabels[label[a]])
				return samples[root];
		let sum = 0;
		for (let i = root + 1; i < end[root];) {
			if (matchedLabels[label[i]]) {
				sum += samples[i];
				i = end[i];
			} else {
				i++;
			}
		}
		return sum;
	}

	function updateMatched() {
		if (!matchedLabels) {
			matchedText = '';
		} else {
			const all = matchedSamples(0);
			matchedText = `Matched: ${pct(all, samples[0])} (${fmt(all)} of ${fmt(samples[0])} ${UNIT})`;
			if (focus)
				matchedText += `, ${pct(matchedSamples(focus), samples[focus])} of the zoomed frame`;
		}
		matchedEl.textContent = matchedText;
	}

	function setSearch(pattern) {
		let re = null;
		search.classList.remove('bad');
		if (pattern) {
			try {
				re = new RegExp(pattern);
			} catch (e) {
				search.classList.add('bad');
				matchedLabels = null;
				matchedEl.textContent = 'not a valid regular expression';
				redraw();
				return;
			}
		}
		matchedLabels = re ? Uint8Array.from(labelText, s => re.test(s)) : null;
		updateMatched();
		redraw();
	}

	function showTooltip(r, ev) {
		const i = r.i, l = label[i], lines = [];
		const b = el('b');
		b.textContent = l < 0 ? 'all' : labelName[l];
		if (l >= 0 && labelFile[l])
			lines.push(`${labelFile[l]}:${labelLine[l]}`);
		lines.push(`${fmt(samples[i])} ${UNIT}, ${pct(samples[i], samples[0])} of all` +
			(focus && focus !== i && depth[i] > depth[focus] ? `, ${pct(samples[i], samples[focus])} of the zoomed frame` : ''));
		if (kind[i] === KIND.offcpu)
			lines.push('off-CPU: sleeping, blocked or waiting');
		tooltip.replaceChildren(b, ...lines.map(s => {
			const div = el('div');
			div.textContent = s;
			return div;
		}));
		tooltip.hidden = false;
		const pad = 14, tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
		tooltip.style.left = Math.max(0, Math.min(ev.clientX + pad, window.innerWidth - tw - 2)) + 'px';
		tooltip.style.top = (ev.clientY + pad + th < window.innerHeight ? ev.clientY + pad : Math.max(0, ev.clientY - pad - th)) + 'px';
	}

	const point = ev => {
		const box = canvas.getBoundingClientRect();
		return hit(ev.clientX - box.left, ev.clientY - box.top);
	};
	canvas.addEventListener('mousemove', ev => {
		const r = point(ev);
		if (r)
			showTooltip(r, ev);
		else
			tooltip.hidden = true;
	});
	canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
	canvas.addEventListener('click', ev => {
		const r = point(ev);
		if (r)
			zoom(r.i);
	});
	$('reset').addEventListener('click', () => zoom(0));
	$('invert').addEventListener('click', ev => {
		inverted = !inverted;
		ev.currentTarget.setAttribute('aria-pressed', String(inverted));
		reveal();
		redraw();
	});
	search.addEventListener('input', () => setSearch(search.value));
	document.addEventListener('keydown', ev => {
		if (ev.key === 'Escape' && document.activeElement !== search)
			zoom(0);
	});
	chart.addEventListener('scroll', () => {
		tooltip.hidden = true;
		redraw();
	});
	window.addEventListener('resize', () => redraw(true));

	// For tests and the curious: where frames are drawn, in canvas pixels
	// (y < 0 or past the canvas: scrolled out of view).
	window.__flame = {
		timings,
		nodes: n,
		// Drawn frames whose function name is `name` (a string) or whose
		// label `qualname (file:line)` matches `name` (a RegExp).
		rects(name) {
			const want = r => (name instanceof RegExp ? name.test(text(r.i)) : label[r.i] >= 0 ?
				labelName[label[r.i]] === name : name === 'all');
			return rows.flat().filter(want).map(r => ({
				name: label[r.i] < 0 ? 'all' : labelName[label[r.i]], text: text(r.i),
				x: r.x, y: rowY(r.d) - chart.scrollTop, w: r.w, h: ROW - 1, depth: r.d, samples: samples[r.i],
				highlighted: Boolean(matchedLabels && label[r.i] >= 0 && matchedLabels[label[r.i]]),
			}));
		},
		state: () => ({ focus: text(focus), inverted, width, matched: matchedText, rows: lastDepth + 1 }),
	};

	layout();
	reveal();	// the flame's root is at the bottom: start there
	paint();
})();

// Opens one of pybpftop's HTML flame graphs in headless Chromium and checks
// it; prints what it measured as `key: value` lines (tests/html.bats).
//   node flame_check.mjs cpu_split FILE.html SHOT.png   # record of tests/workloads/cpu_split.py
//   node flame_check.mjs load FILE.html SHOT.png        # loads and draws, no errors
//   node flame_check.mjs hostile FILE.html SHOT.png     # test_html hostile's page
// Exits non-zero, saying why, when a check fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [mode, file, shot] = process.argv.slice(2);
if (!['cpu_split', 'load', 'hostile'].includes(mode) || !file || !shot) {
	console.error('usage: flame_check.mjs cpu_split|load|hostile FILE.html SHOT.png');
	process.exit(2);
}
const url = pathToFileURL(path.resolve(file)).href;
const report = (key, value) => console.log(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

// The embedded data, read here without the page's code, for the truth.
function pageData() {
	const html = fs.readFileSync(file, 'utf8');
	const m = html.match(/<script type="application\/json" id="flame-data">([^]*?)<\/script>/);
	assert.ok(m, 'no flame-data element');
	return JSON.parse(m[1]);
}

// Share of samples under frames whose name matches re, each sample once.
function trueShare(data, re) {
	const { tree, labels, strings } = data;
	const n = tree.length / 3;
	let matched = 0, i = 1;
	// Preorder: skipping a node's subtree means skipping its descendants'
	// counts, which the walk finds from the children counts.
	const skip = j => {
		let left = 1;
		while (left) {
			left += tree[3 * j + 2] - 1;
			j++;
		}
		return j;
	};
	while (i < n) {
		const l = tree[3 * i];
		if (l >= 0 && re.test(strings[labels[3 * l]])) {
			matched += tree[3 * i + 1];
			i = skip(i);
		} else {
			i++;
		}
	}
	return 100 * matched / tree[1];
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox'],	// CI runs as root
});
let failed = false;
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
	const errors = [];
	page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
	page.on('pageerror', e => errors.push(`page error: ${e.message}`));
	page.on('dialog', d => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
	page.on('request', r => { if (r.url() !== url) errors.push(`request: ${r.url()}`); });

	const started = Date.now();
	await page.goto(url, { waitUntil: 'load' });
	await page.waitForFunction(() => window.__flame, null, { timeout: 30000 });
	// Until the first frame is on screen.
	const painted = await page.evaluate(() => new Promise(r => requestAnimationFrame(() => r(performance.now()))));
	report('load_ms', Date.now() - started);
	report('page_ms', Math.round(painted));
	report('timings_ms', await page.evaluate(() => Object.fromEntries(
		Object.entries(window.__flame.timings).map(([k, v]) => [k, Math.round(v)]))));
	report('nodes', await page.evaluate(() => window.__flame.nodes));
	report('drawn', await page.evaluate(() => window.__flame.rects(/(?:)/).length));
	report('title', await page.title());
	report('heading', await page.evaluate(() => document.querySelector('header').innerText.replace(/\s+/g, ' ')));
	const state = () => page.evaluate(() => window.__flame.state());
	const rects = name => page.evaluate(n => window.__flame.rects(n), name);
	const canvas = page.locator('#flame');
	const click = r => canvas.click({ position: { x: r.x + r.w / 2, y: r.y + r.h / 2 } });
	const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 1, `${what}: ${a} != ${b}`);

	assert.ok((await rects(/(?:)/)).length > 0, 'nothing drawn');

	if (mode === 'hostile') {
		const evil = await rects('</script><script>alert(1)</script>');
		assert.equal(evil.length, 1, 'the </script> function is not drawn once');
		assert.equal((await rects('quote"back\\slash')).length, 1);
		assert.equal((await rects('line\u2028sep\u2029para')).length, 1);
	}

	if (mode === 'cpu_split') {
		const { width } = await state();
		const widest = async name => (await rects(name)).sort((a, b) => b.w - a.w)[0];
		const before = await widest('thirty');
		const sixtyBefore = await rects('sixty');
		assert.ok(before && sixtyBefore.length, 'thirty or sixty not drawn');
		report('thirty_width_before', before.w);

		// Zoom into thirty's frame: full width; its ancestors too; the others gone.
		await click(before);
		let after = (await rects(/(?:)/)).find(r => r.text === before.text);
		near(after.x, 0, 'zoomed x');
		near(after.w, width, 'zoomed width');
		assert.equal((await state()).focus, before.text);
		for (const a of await rects('main'))
			near(a.w, width, 'an ancestor of the zoomed frame');
		assert.equal((await rects('sixty')).length, 0, 'sixty is still drawn while zoomed into thirty');
		assert.equal((await rects('ten')).length, 0, 'ten is still drawn while zoomed into thirty');
		report('zoom', 'ok');

		// Reset: everything where it was.
		await page.click('#reset');
		await page.waitForFunction(() => window.__flame.state().focus === 'all');
		after = await widest('thirty');
		near(after.w, before.w, 'thirty after reset');
		near(after.x, before.x, 'thirty x after reset');
		assert.deepEqual((await rects('sixty')).map(r => Math.round(r.w)), sixtyBefore.map(r => Math.round(r.w)));

		// Zoom into thirty's caller: thirty's siblings under it scale by
		// the same factor, caller's samples over thirty's.
		const caller = (await rects('main')).find(r => r.x <= before.x + 0.5 &&
			r.x + r.w >= before.x + before.w - 0.5 && Math.abs(r.y - before.y) === before.h + 1);
		assert.ok(caller, 'no caller of thirty drawn');
		await click(caller);
		for (const r of await rects('thirty'))
			near(r.w, width * r.samples / caller.samples, `thirty's width under its zoomed caller`);
		await page.click('#reset');
		report('zoom_caller', 'ok');

		// Search: sixty's frames highlighted, its share shown, each sample once.
		await page.fill('#search', '^sixty');
		await page.waitForFunction(() => window.__flame.state().matched !== '');
		const matched = (await state()).matched;
		report('matched', matched);
		const shown = parseFloat(matched.match(/Matched: ([0-9.]+)%/)[1]);
		const truth = trueShare(pageData(), /^sixty/);
		report('sixty_true_share', truth.toFixed(2));
		assert.ok(Math.abs(shown - truth) <= 0.01, `shown ${shown}% but the data holds ${truth}%`);
		assert.ok(Math.abs(shown - 60) <= 5, `sixty at ${shown}%, not 60%`);
		assert.ok((await rects('sixty')).every(r => r.highlighted), 'a sixty frame is not highlighted');
		assert.ok((await rects('thirty')).every(r => !r.highlighted), 'a thirty frame is highlighted');
		await page.screenshot({ path: shot.replace(/\.png$/, '-search.png'), fullPage: true });
		await page.fill('#search', '');
		await page.waitForFunction(() => window.__flame.state().matched === '');

		// Icicle: the root moves from the bottom to the top.
		const flip = async () => [(await rects('all'))[0].y, (await widest('sixty')).y];
		const [rootFlame, sixtyFlame] = await flip();
		assert.ok(rootFlame > sixtyFlame, 'flame view: the root is not below sixty');
		await page.click('#invert');
		await page.waitForFunction(() => window.__flame.state().inverted);
		await page.waitForTimeout(100);
		const [rootIcicle, sixtyIcicle] = await flip();
		assert.ok(rootIcicle === 0 && rootIcicle < sixtyIcicle, 'icicle view: the root is not on top');
		report('icicle', { rootFlame, sixtyFlame, rootIcicle, sixtyIcicle });

		// Hover: the tooltip names the function, its file:line and samples.
		const r = await widest('thirty');
		const box = await canvas.boundingBox();
		await page.mouse.move(box.x + r.x + r.w / 2, box.y + r.y + r.h / 2);
		const tip = page.locator('#tooltip');
		await tip.waitFor({ state: 'visible' });
		const tipText = (await tip.innerText()).replace(/\s+/g, ' ');
		report('tooltip', tipText);
		const line = r.text.match(/:(\d+)\)$/)[1];
		assert.ok(tipText.startsWith('thirty '), 'tooltip does not start with the function');
		assert.ok(tipText.includes(`cpu_split.py:${line}`), 'tooltip has no file:line');
		assert.ok(tipText.includes(`${r.samples.toLocaleString('en-US')} samples`), 'tooltip has no sample count');
		await page.click('#invert');
	}

	await page.screenshot({ path: shot, fullPage: mode !== 'load' });
	report('screenshot', shot);
	assert.deepEqual(errors, [], 'errors in the page');
	report('result', 'ok');
} catch (e) {
	failed = true;
	console.log(`FAILED: ${e.message}`);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);

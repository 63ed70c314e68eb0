// The BenchDaemon canary loop on onnxruntime-node (CPU), as a peer for bench/canary (issue F3).
//
// Usage: node canary.mjs --model m.onnx [--iterations N] [--batch 1] [--api public|binding] [--seed 1]
//
// It does what src/Workloads/Canaries/CanaryRunner.cs does, step for step:
// - a session with 1 intra-op and 1 inter-op thread, sequential execution, all graph optimisations;
// - inputs generated as InputGenerator does for float inputs (SplitMix64, uniform in [-1, 1),
//   stream seed * 0x9E3779B97F4A7C15 + index over the inputs in ordinal name order), so both
//   runtimes see the same numbers;
// - one call to learn the output shapes, then outputs pre-allocated and passed as fetches;
// - warm-up in blocks of 5 calls until the medians of two consecutive blocks differ by at most
//   5 % (at least 10, at most 1000 calls, at most 10 s: MeasureOptions' defaults);
// - N timed calls, each between two process.hrtime.bigint() readings.
// It prints one JSON object: quantiles use Hyndman-Fan type 7, as LatencyStatistics does.
//
// --api public   times `await session.run(feeds, fetches)`, the public API a Node user calls
//                (it defers every call through setImmediate and a Promise);
// --api binding  times the synchronous native binding under it, without that deferral, to show
//                how much of a small model's latency is the JavaScript API rather than ONNX Runtime.

import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { binding, initOrt } = require('onnxruntime-node/dist/binding');
const packageVersion = require('onnxruntime-node/package.json').version;

const WARMUP_BLOCK = 5;
const WARMUP_MIN_ITERATIONS = 10;
const WARMUP_MAX_ITERATIONS = 1000;
const WARMUP_MAX_NS = 10_000_000_000n;
const WARMUP_TOLERANCE = 0.05;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    iterations: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '1' },
    api: { type: 'string', default: 'public' },
    seed: { type: 'string', default: '1' },
  },
});
if (!args.model) {
  throw new Error('--model is required');
}
const iterations = Number.parseInt(args.iterations, 10);
const batch = Number.parseInt(args.batch, 10);
const seed = BigInt(Number.parseInt(args.seed, 10));
if (!(iterations >= 1) || !(batch >= 1) || !['public', 'binding'].includes(args.api)) {
  throw new Error('--iterations and --batch must be at least 1; --api is public or binding');
}

const sessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
};

// SplitMix64 (Steele, Lea, Flood 2014), as InputGenerator's: the same bits on every runtime.
const MASK = (1n << 64n) - 1n;
function splitMix64(state) {
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
}

function floatInput(dims, index) {
  const next = splitMix64((seed * 0x9e3779b97f4a7c15n + BigInt(index)) & MASK);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    data[i] = Number(next() >> 11n) * 2 ** -53 * 2 - 1;
  }
  return new ort.Tensor('float32', data, dims);
}

function concreteShape(shape) {
  return shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) {
      return d;
    }
    if (i === 0) {
      return batch;
    }
    throw new Error(`dimension ${i} (${d}) is symbolic beyond the batch; this peer supports the tiny models only`);
  });
}

function quantile(sorted, p) {
  // Hyndman-Fan type 7: h = (n - 1) p, linear between neighbours.
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function median(values) {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

const session = await ort.InferenceSession.create(args.model, sessionOptions);
const inputs = session.inputNames.map((name, i) => [name, session.inputMetadata[i]]);
const feeds = {};
[...inputs]
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  .forEach(([name, meta], index) => {
    if (meta.type !== 'float32') {
      throw new Error(`input '${name}' is ${meta.type}; this peer generates float32 inputs only`);
    }
    feeds[name] = floatInput(concreteShape(meta.shape), index);
  });

// First call: learn the output shapes, then pre-allocate and bind the outputs.
const first = await session.run(feeds);
const fetches = {};
for (const name of session.outputNames) {
  const t = first[name];
  if (t.type !== 'float32') {
    throw new Error(`output '${name}' is ${t.type}; this peer pre-allocates float32 outputs only`);
  }
  fetches[name] = new ort.Tensor('float32', new Float32Array(t.data.length), t.dims);
}

const isAsync = args.api === 'public';
let call;
if (isAsync) {
  call = () => session.run(feeds, fetches);
} else {
  // A session of its own on the native binding (same options), called synchronously.
  await session.release();
  initOrt();
  const raw = new binding.InferenceSession();
  raw.loadModel(args.model, sessionOptions);
  raw.run(feeds, fetches, {});
  call = () => raw.run(feeds, fetches, {});
}

let warmupIterations = 1;
let warmupStable = false;
let previousMedian = Number.NaN;
const block = new Array(WARMUP_BLOCK);
const warmupStart = process.hrtime.bigint();
while (warmupIterations < WARMUP_MAX_ITERATIONS && process.hrtime.bigint() - warmupStart < WARMUP_MAX_NS) {
  for (let i = 0; i < WARMUP_BLOCK; i++) {
    const t0 = process.hrtime.bigint();
    if (isAsync) {
      await call();
    } else {
      call();
    }
    block[i] = Number(process.hrtime.bigint() - t0);
  }
  warmupIterations += WARMUP_BLOCK;
  const m = median(block);
  if (warmupIterations >= WARMUP_MIN_ITERATIONS && !Number.isNaN(previousMedian)
      && Math.abs(m - previousMedian) <= WARMUP_TOLERANCE * previousMedian) {
    warmupStable = true;
    break;
  }
  previousMedian = m;
}

const samples = new Float64Array(iterations);
const windowStart = process.hrtime.bigint();
if (isAsync) {
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
} else {
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    call();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
}
const windowNs = Number(process.hrtime.bigint() - windowStart);

for (const t of Object.values(fetches)) {
  if (!t.data.every(Number.isFinite)) {
    throw new Error('an output contains NaN or infinity');
  }
}

const sorted = Float64Array.from(samples).sort();
const ns = 1e-9;
const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
process.stdout.write(`${JSON.stringify({
  runtime: 'onnxruntime-node',
  version: packageVersion,
  api: args.api,
  model: args.model,
  batch,
  iterations,
  warmupIterations,
  warmupStable,
  windowSeconds: windowNs * ns,
  latencySeconds: {
    mean: mean * ns,
    min: sorted[0] * ns,
    p50: quantile(sorted, 0.5) * ns,
    p90: quantile(sorted, 0.9) * ns,
    p99: quantile(sorted, 0.99) * ns,
    max: sorted[sorted.length - 1] * ns,
  },
})}\n`);

// The one place where a scenario meets its host. A scenario builds some audio
// with a library, measures it with `measure()` and hands the result to
// `scenario()`, which prints it (webaudio-run) or posts it to the recorder's
// server (headless Chromium, see record.mjs). Both hosts run the same bundle.

const inBrowser = typeof document !== "undefined";

/** Length, sample rate and per-channel RMS and peak of an AudioBuffer. */
export function measure(buffer) {
  const rms = [];
  const peak = [];
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const data = buffer.getChannelData(c);
    rms.push(rmsOf(data));
    peak.push(peakOf(data));
  }
  return {
    length: buffer.length,
    sampleRate: buffer.sampleRate,
    numberOfChannels: buffer.numberOfChannels,
    rms,
    peak,
  };
}

export function rmsOf(data, start = 0, end = data.length) {
  let sum = 0;
  for (let i = start; i < end; i++) sum += data[i] * data[i];
  return end > start ? Math.sqrt(sum / (end - start)) : 0;
}

export function peakOf(data) {
  let peak = 0;
  for (let i = 0; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i]));
  return peak;
}

/** RMS of each consecutive `size`-frame window of channel `c`: a coarse envelope. */
export function envelope(buffer, size, c = 0) {
  const data = buffer.getChannelData(c);
  const out = [];
  for (let start = 0; start < data.length; start += size) {
    out.push(rmsOf(data, start, Math.min(start + size, data.length)));
  }
  return out;
}

async function deliver(path, body) {
  if (inBrowser) {
    await fetch(path, { method: "POST", body });
  } else if (path === "/result") {
    console.log(`LIBRARY-RESULT ${body}`);
    // Libraries keep clocks and ports alive (Tone's ticker, worklet ports);
    // a page would simply stay open, a process has to end.
    globalThis.WebAudioRun.exit(0);
  } else {
    console.log(`LIBRARY-ERROR ${body}`);
    globalThis.WebAudioRun.exit(1);
  }
}

function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ""}`;
  return String(error);
}

/** Runs `body` (async, returns the result object) and reports what it gives or throws. */
export async function scenario(name, body) {
  if (inBrowser) {
    addEventListener("error", (e) => deliver("/error", `${name}: ${describe(e.error ?? e.message)}`));
    addEventListener("unhandledrejection", (e) => deliver("/error", `${name}: ${describe(e.reason)}`));
  }
  let result;
  try {
    result = await body();
  } catch (error) {
    await deliver("/error", `${name}: ${describe(error)}`);
    return;
  }
  await deliver("/result", JSON.stringify({ scenario: name, ...result }));
}

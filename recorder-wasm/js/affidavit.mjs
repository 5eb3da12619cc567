// Affidavit's ES-module API, for apps that want control over recording:
//
//   import { start } from 'https://HOST/recorder/affidavit.mjs';
//   const recorder = await start({ key: 'PUBLIC_WRITE_KEY', privacy: { maskAllText: true } });
//   recorder.identify('user-42'); recorder.track('checkout', { total: 12 });
//   await recorder.flush(); recorder.stop();
//
// Thin glue by design: options are checked, and everything is recorded, masked, batched
// and sent, by the Rust recorder compiled to WebAssembly. This file only loads it once
// and fills in the one default Rust cannot know: where this module was loaded from.

import init, { start as startRecorder } from './affidavit_recorder.js';

let loading;

// Instantiates the wasm module once per page; a failed load is forgotten so a later
// start() can try again (say, after the network came back).
function load() {
  loading ??= init({ module_or_path: new URL('./affidavit_recorder_bg.wasm', import.meta.url) })
    .catch((e) => {
      loading = undefined;
      throw e;
    });
  return loading;
}

/**
 * Starts recording this page and resolves to the Recorder (`stop()`, `identify()`,
 * `track()`, `flush()`, `sessionId`). Rejects with an Error naming the bad option.
 * `endpoint` defaults to the server this module was loaded from.
 */
export async function start(options) {
  await load();
  if (options && typeof options === 'object' && options.endpoint === undefined) {
    options = { ...options, endpoint: new URL('..', import.meta.url).href.replace(/\/$/, '') };
  }
  return startRecorder(options);
}

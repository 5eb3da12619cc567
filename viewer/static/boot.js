// Boots the viewer: everything else is Rust (affidavit_viewer_bg.wasm).
import init, { boot } from './affidavit_viewer.js';

await init();
await boot();

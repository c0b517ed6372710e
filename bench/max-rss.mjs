// Preloaded by bench/child.ts (node --import): at exit, writes this process's peak resident set
// (KiB, process.resourceUsage().maxRSS) to $VPB_MAX_RSS_FILE. Plain JS: it loads before tsx.
import { writeFileSync } from 'node:fs';

const file = process.env.VPB_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));

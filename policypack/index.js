// The pack's entry point (package.json `main`), as `--policy-pack <dir>` starts it.
// In the repository the TypeScript sources run (run-policy-pack registers ts-node);
// the published package ships compiled JavaScript in dist/ and no .ts sources,
// because ts-node does not compile files under node_modules.
const fs = require("fs");
const path = require("path");
module.exports = fs.existsSync(path.join(__dirname, "index.ts")) ? require("./index.ts") : require("./dist/index.js");

// Compiles every component schema of an OpenAPI 3.0 document (as JSON) with Ajv, as a
// client validating our responses would: strict mode off (OpenAPI's own keywords),
// discriminator on. Usage: node compile.js openapi.json
const fs = require("fs");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const document = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv({ strict: false, discriminator: true, logger: false });
addFormats(ajv);
ajv.addSchema(document, "openapi");
const names = Object.keys(document.components.schemas);
let failed = 0;
for (const name of names) {
  try {
    ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
  } catch (error) {
    failed += 1;
    console.error(`${name}: ${error.message}`);
  }
}
console.log(`${names.length - failed} compiled, ${failed} failed`);
process.exit(failed ? 1 : 0);

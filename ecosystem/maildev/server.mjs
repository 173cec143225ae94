// maildev for local runs and tests: an SMTP server that keeps every message, with a web inbox
// and a REST API (`GET /api/email?to.address=…`).
//
//   node server.mjs <smtp-port> <web-port> <mail-dir> [ephemeral]
//
// `ephemeral`: the mail folder is removed when maildev stops.
// Port 0 picks a free port (bound once, never released and re-bound). It prints
// `READY <smtp-port> <web-port>` once both listen, and exits when its standard input closes
// (so it never outlives the process that started it), or on SIGTERM/SIGINT.
import { rmSync } from 'node:fs';
import { MailDev } from 'maildev';

const [smtp, web, mailDirectory, ephemeral] = process.argv.slice(2);
const maildev = new MailDev({
  smtp: Number(smtp),
  web: Number(web),
  ip: '127.0.0.1',
  webIp: '127.0.0.1',
  mailDirectory,
  silent: true,
});
const servers = await maildev.start();
console.log(`READY ${servers.smtp.getAddress().port} ${servers.api.getAddress().port}`);

const stop = async () => {
  await maildev.stop();
  if (ephemeral === 'ephemeral') rmSync(mailDirectory, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

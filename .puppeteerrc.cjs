// whatsapp-web.js pulls in puppeteer; Loket uses Debian's Chromium (/usr/bin/chromium) instead of
// a downloaded browser, and the build machines have no internet access beyond the npm registry.
module.exports = { skipDownload: true };

/* "Being prepared" page of a document download (templates/core/document_preparing.html):
 * try the download again after the server's Retry-After, at most MAX_TRIES times per address.
 * Without JavaScript the page's "重新下载" link does the same by hand. */
(function () {
  "use strict";
  var MAX_TRIES = 10;
  var box = document.getElementById("document-preparing");
  if (!box) {
    return;
  }
  var seconds = parseInt(box.getAttribute("data-retry-after"), 10);
  if (!(seconds > 0)) {
    seconds = 3;
  }
  var key = "document-retry:" + window.location.pathname + window.location.search;
  var tries = 0;
  try {
    tries = parseInt(window.sessionStorage.getItem(key), 10) || 0;
    if (tries >= MAX_TRIES) {
      return;
    }
    window.sessionStorage.setItem(key, String(tries + 1));
  } catch (e) {
    /* no storage (private mode): still retry, the server answers quickly */
  }
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();

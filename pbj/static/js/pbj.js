// PBJ e-Katalog Lokal: our only script of our own (htmx itself comes from a pinned package).
// Only elements our templates wrote may send htmx requests (docs/SECURITY.md,
// "Injected markup cannot use htmx"). Templates mark each element that has
// hx-get/hx-post with data-hx-key, a per-session value also given in the
// page's <head>; markup that slipped into a page unescaped cannot know it.
// A marked element's request gets the CSRF token and the key as headers;
// any other element's request is cancelled before it is sent.
(function () {
  "use strict";
  function meta(name) {
    var tag = document.head && document.head.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var key = meta("htmx-key");
    var element = event.detail.elt;
    if (!key || !element || !element.getAttribute || element.getAttribute("data-hx-key") !== key) {
      event.preventDefault();
      return;
    }
    event.detail.headers["X-CSRFToken"] = meta("csrf-token");
    event.detail.headers["X-Htmx-Key"] = key;
  });
})();

// META: timeout=long
test(() => {
  assert_equals(location.href, "https://web-platform.test:8443/webaudio/basic/idl.https.window.html");
}, "a .window.js test on https");

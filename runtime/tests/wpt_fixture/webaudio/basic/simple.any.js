// META: title=An any.js test
// META: script=/resources/helper.js
test(() => {
  assert_equals(helperLoaded, "yes");
  assert_true(GLOBAL.isWindow());
  assert_equals(location.pathname, "/webaudio/basic/simple.any.html");
}, "META scripts load before an .any.js test");

test(() => {}, "worker tests are not run");

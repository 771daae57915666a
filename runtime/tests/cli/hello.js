console.log("hello from webaudio-run");

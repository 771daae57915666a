console.log(WebAudioRun.args, WebAudioRun.mainModule.endsWith("/args.js"));

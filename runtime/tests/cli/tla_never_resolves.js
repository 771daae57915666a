await new Promise(() => {}); console.log("x")

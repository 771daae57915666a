// Loaded through an absolute /resources/ URL.
var helperLoaded = "yes";

// A thrown symbol is shown with its description.
export {};
throw Symbol("thrown");

var localHelper = 42;

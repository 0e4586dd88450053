"""Learning from data: a model and a per-example loss fitted to a data set.

``dataset`` (DataSet and its source, the column-name rules), ``csv_files``
(read and write CSV), ``generators`` (built-in sets from n, noise and seed),
``fit`` (parse the model and the loss against the data's columns),
``polynomial`` (where the loss is a polynomial in w and b), ``objective`` (the
mean loss over all examples or a batch, with its gradient and Hessian),
``batches`` (torch DataLoader's batch order), ``runner`` (race optimizers on
batches) and ``loss_grid`` (the loss surface, first picture then exact).
"""

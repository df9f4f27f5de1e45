"""Real payment providers behind `marketplace.payments.PaymentGateway`."""

// Northwind checkout: show-password toggle, live order summary, coupon filter, fake submit.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var SUBTOTAL = 42.0;
  var SHIPPING = { standard: 0, express: 4.95, overnight: 9.95 };
  var COUPONS = [
    'SPRING10 — 10% off homeware',
    'FREESHIP — free express shipping',
    'MUGS2FOR1 — second mug free'
  ];
  var orderNumber = 10041;

  function money(n) { return '£' + n.toFixed(2); }

  // Show / hide password: switches the input's type between "password" and "text".
  $('toggle-password').addEventListener('click', function () {
    var input = $('password');
    var showing = input.type === 'password';
    input.type = showing ? 'text' : 'password';
    this.textContent = showing ? 'Hide password' : 'Show password';
    this.setAttribute('aria-pressed', String(showing));
  });

  function updateSummary() {
    var speed = document.querySelector('input[name="shipping"]:checked');
    var shipping = SHIPPING[speed ? speed.value : 'standard'];
    var pct = Number($('tip').value);
    var tip = Math.round(SUBTOTAL * pct) / 100;
    $('tip-output').textContent = pct + '%';
    $('summary-shipping').textContent = money(shipping);
    $('summary-tip').textContent = money(tip);
    $('summary-total').textContent = money(SUBTOTAL + shipping + tip);
  }
  $('tip').addEventListener('input', updateSummary);
  $('shipping-speed').addEventListener('change', updateSummary);
  updateSummary();

  // Coupon search (the input itself is data-affidavit-ignore).
  $('coupon-search').addEventListener('input', function () {
    var q = this.value.trim().toUpperCase();
    var list = $('coupon-results');
    list.textContent = '';
    COUPONS.filter(function (c) { return c.indexOf(q) !== -1; }).forEach(function (c) {
      var li = document.createElement('li');
      li.textContent = c;
      list.appendChild(li);
    });
    if (!list.firstChild) {
      var none = document.createElement('li');
      none.className = 'muted';
      none.textContent = 'No matching coupons.';
      list.appendChild(none);
    }
  });

  // Never really submit: show an inline confirmation instead.
  $('checkout-form').addEventListener('submit', function (event) {
    event.preventDefault();
    orderNumber += 1;
    var result = $('order-result');
    result.textContent = '';
    var box = document.createElement('div');
    box.className = 'notice';
    box.id = 'order-confirmation';
    box.setAttribute('role', 'status');
    var strong = document.createElement('strong');
    strong.textContent = 'Order placed';
    box.appendChild(strong);
    box.appendChild(document.createTextNode(
      ' — order NW-' + orderNumber + ', total ' + $('summary-total').textContent +
      '. A receipt is on its way to your inbox.'));
    result.appendChild(box);
    $('place-order').textContent = 'Place another order';
  });
})();

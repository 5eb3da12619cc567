// Northwind shop: a tiny single-page app with client-side routing.
// URLs: spa.html?route=list[&sort=price|name], ?route=detail&sku=NW-1, ?route=settings[#section].
// Route links use history.pushState, the sort buttons use history.replaceState,
// hash links (#reviews, #notifications, ...) are ordinary anchors, and popstate re-renders.
(function () {
  'use strict';
  var PRODUCTS = [
    { sku: 'NW-1', name: 'Harbour canvas tote', price: 24, color: '#d8c3a5', text: 'Heavy cotton canvas with a leather strap. Fits a laptop and lunch.' },
    { sku: 'NW-2', name: 'Enamel mug, navy', price: 9, color: '#2f4b7c', text: 'Speckled enamel, 350 ml. Survives campfires and dishwashers.' },
    { sku: 'NW-3', name: 'Wool beanie', price: 18, color: '#a05195', text: 'Merino wool, ribbed, one size. Knitted in Donegal.' },
    { sku: 'NW-4', name: 'Field notebook', price: 7, color: '#f95d6a', text: 'Dot grid, 96 pages, lies flat. Pocket-sized.' },
    { sku: 'NW-5', name: 'Brass key ring', price: 12, color: '#ffa600', text: 'Solid brass, engraved with the Northwind compass.' },
    { sku: 'NW-6', name: 'Oilskin cap', price: 29, color: '#665191', text: 'Waxed cotton, water resistant, adjustable strap.' }
  ];
  var view = document.getElementById('spa-view');
  var cart = 0;
  var rendered = '';   // key of the route currently on screen

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function findProduct(sku) {
    return PRODUCTS.filter(function (p) { return p.sku === sku; })[0] || PRODUCTS[0];
  }
  function currentRoute() {
    var params = new URLSearchParams(location.search);
    var name = params.get('route') || 'list';
    if (['list', 'detail', 'settings'].indexOf(name) === -1) name = 'list';
    return { name: name, sku: params.get('sku') || 'NW-1', sort: params.get('sort') || 'name' };
  }
  function routeKey(r) {
    return r.name + '|' + (r.name === 'detail' ? r.sku : '') + '|' + (r.name === 'list' ? r.sort : '');
  }

  function renderList(r) {
    var items = PRODUCTS.slice().sort(function (a, b) {
      return r.sort === 'price' ? a.price - b.price : a.name.localeCompare(b.name);
    });
    var grid = el('div', { 'class': 'products', id: 'product-list' });
    items.forEach(function (p) {
      grid.appendChild(el('article', { 'class': 'product', 'data-sku': p.sku }, [
        el('div', { 'class': 'swatch', style: 'background:' + p.color }),
        el('h3', {}, [el('a', { href: 'spa.html?route=detail&sku=' + p.sku, 'data-route': '', id: 'product-link-' + p.sku, text: p.name })]),
        el('p', { 'class': 'price', text: '£' + p.price.toFixed(2) })
      ]));
    });
    return [
      el('h1', { text: 'Products' }),
      el('div', { 'class': 'row', style: 'margin-bottom:16px' }, [
        el('span', { 'class': 'hint', text: 'Sorted by ' + r.sort + '.' }),
        el('button', { type: 'button', 'class': 'btn small', id: 'sort-name', text: 'Sort by name' }),
        el('button', { type: 'button', 'class': 'btn small', id: 'sort-price', text: 'Sort by price' })
      ]),
      grid
    ];
  }

  function renderDetail(r) {
    var p = findProduct(r.sku);
    var qty = el('select', { id: 'qty', name: 'qty' });
    [1, 2, 3, 4, 5].forEach(function (n) {
      var o = el('option', { value: String(n), text: String(n) });
      if (n === 2) o.selected = true;
      qty.appendChild(o);
    });
    return [
      el('p', {}, [el('a', { href: 'spa.html?route=list', 'data-route': '', id: 'back-to-list', text: '← All products' })]),
      el('div', { 'class': 'detail', id: 'product-detail', 'data-sku': p.sku }, [
        el('div', { 'class': 'swatch', style: 'background:' + p.color }),
        el('div', {}, [
          el('h1', { id: 'product-name', text: p.name }),
          el('p', { 'class': 'hint', text: 'SKU ' + p.sku }),
          el('p', { 'class': 'price', text: '£' + p.price.toFixed(2) }),
          el('p', { text: p.text }),
          el('div', { 'class': 'row' }, [
            el('label', { 'for': 'qty', text: 'Quantity' }), qty,
            el('button', { type: 'button', 'class': 'btn primary', id: 'add-to-cart', text: 'Add to cart' })
          ]),
          el('p', {}, [el('a', { href: '#reviews', id: 'link-reviews', text: 'Read reviews' })])
        ])
      ]),
      el('div', { 'class': 'section-tall' }),
      el('section', { 'class': 'card', id: 'reviews' }, [
        el('h2', { text: 'Reviews' }),
        el('p', { text: '★★★★★ “Exactly as described, arrived in two days.” — Priya' }),
        el('p', { text: '★★★★☆ “Lovely quality, slightly smaller than I expected.” — Sven' })
      ])
    ];
  }

  function renderSettings() {
    function section(id, title, body) {
      return el('section', { 'class': 'card section-tall', id: id }, [el('h2', { text: title })].concat(body));
    }
    return [
      el('h1', { text: 'Settings' }),
      el('p', {}, [
        el('a', { href: '#profile', id: 'link-profile', text: 'Profile' }), ' · ',
        el('a', { href: '#notifications', id: 'link-notifications', text: 'Notifications' }), ' · ',
        el('a', { href: '#privacy', id: 'link-privacy', text: 'Privacy' })
      ]),
      section('profile', 'Profile', [
        el('div', { 'class': 'field' }, [
          el('label', { 'for': 'settings-name', text: 'Display name' }),
          el('input', { type: 'text', id: 'settings-name', name: 'display_name', autocomplete: 'nickname' })
        ]),
        el('button', { type: 'button', 'class': 'btn', id: 'settings-save', text: 'Save profile' }),
        el('span', { id: 'settings-saved', 'class': 'hint' })
      ]),
      section('notifications', 'Notifications', [
        el('label', { 'class': 'row' }, [el('input', { type: 'checkbox', id: 'notify-shipping', checked: '' }), 'Tell me when my order ships']),
        el('label', { 'class': 'row' }, [el('input', { type: 'checkbox', id: 'notify-offers' }), 'Send me offers'])
      ]),
      section('privacy', 'Privacy', [
        el('p', { text: 'Sessions on this site are recorded with Affidavit. Inputs are masked before they leave your browser.' })
      ])
    ];
  }

  function scrollToHash() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }

  function render() {
    var r = currentRoute();
    var key = routeKey(r);
    if (key !== rendered) {
      var nodes = r.name === 'detail' ? renderDetail(r) : r.name === 'settings' ? renderSettings() : renderList(r);
      view.textContent = '';
      nodes.forEach(function (n) { view.appendChild(n); });
      rendered = key;
      document.getElementById('spa-route').textContent = r.name;
      document.getElementById('nav-products').className = r.name === 'settings' ? '' : 'active';
      document.getElementById('nav-settings').className = r.name === 'settings' ? 'active' : '';
      document.title = 'Northwind — ' + (r.name === 'detail' ? findProduct(r.sku).name : r.name === 'settings' ? 'Settings' : 'Shop');
    }
    scrollToHash();
  }

  function navigate(url, replace) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    render();
    if (!location.hash) window.scrollTo(0, 0);
  }

  var toastTimer = null;
  function toast(message) {
    var t = document.getElementById('toast');
    t.textContent = message;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 2500);
  }

  // One delegated click handler for route links and the buttons inside views.
  document.addEventListener('click', function (event) {
    var link = event.target.closest('a[data-route]');
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      navigate(link.getAttribute('href'), false);
      return;
    }
    var button = event.target.closest('button');
    if (!button) return;
    if (button.id === 'sort-price' || button.id === 'sort-name') {
      navigate('spa.html?route=list&sort=' + (button.id === 'sort-price' ? 'price' : 'name'), true);
    } else if (button.id === 'add-to-cart') {
      var sku = document.getElementById('product-detail').getAttribute('data-sku');
      var qty = Number(document.getElementById('qty').value);
      window.affidavit && window.affidavit.track('added_to_cart', { sku: sku, qty: qty });
      cart += qty;
      document.getElementById('cart-count').textContent = 'Cart: ' + cart;
      toast('Added ' + qty + ' × ' + findProduct(sku).name + ' to your cart');
    } else if (button.id === 'login-button') {
      window.affidavit && window.affidavit.identify('user-42', { plan: 'pro' });
      document.getElementById('user-badge').textContent = 'user-42 · Pro';
      document.getElementById('user-badge').classList.add('on');
      button.textContent = 'Logged in';
    } else if (button.id === 'settings-save') {
      document.getElementById('settings-saved').textContent = ' Saved.';
    }
  });

  window.addEventListener('popstate', render);
  render();
})();
